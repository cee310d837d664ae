import { randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { InvalidInputError, NotFoundError, RefusedError, ConflictError, type ChangedBy } from '../../directory/errors.ts';
import { isRole } from '../../directory/roles.ts';
import { usernameKey } from '../../directory/users.ts';
import { policyDocumentSchema, type NamedLocation, type PolicyDocument, type PolicyDocumentInput, type PolicyState } from '../document.ts';
import { policySetFromRows, readNamedLocation, readPolicyDocument } from '../stored-documents.ts';
import type { PolicyException, PolicySet } from '../model.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import type { LockoutReport } from '../lockout.ts';
import type { CaPoliciesTable } from './tables.ts';
import { guardLockout } from './lockout-gate.ts';
import { guardDowngrade, type DowngradeApproval } from './downgrade-gate.ts';
import type { DowngradeReport } from '../downgrade.ts';
import type { RecordAudit } from '../../audit/append.ts';

/**
 * Policies in the store: read as a PolicySet for evaluation, changed only
 * through audited changes that validate every reference and run the lockout
 * analysis first.
 */
export interface PolicyRecord {
  id: string;
  name: string;
  state: PolicyState;
  origin: string;
  version: number;
  document: PolicyDocument;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface ChangeOptions {
  /** A reason that confirms a change which would lock some people out (never break-glass or every admin). */
  confirmLockout?: string;
  now?: Date;
  /** Set only when an approved downgrade request applies the change (policy/store/downgrades.ts). */
  downgrade?: DowngradeApproval;
}

export interface ChangeResult<T> {
  value: T;
  lockout: LockoutReport;
  /** Who the change lowers what for (empty unless it was an approved downgrade). */
  downgrade: DowngradeReport;
}

export function toPolicyRecord(row: CaPoliciesTable): PolicyRecord {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    origin: row.origin,
    version: Number(row.version),
    document: readPolicyDocument(row.document),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export async function listPolicies(db: Db | Tx): Promise<PolicyRecord[]> {
  const rows = await db.selectFrom('ca_policies').selectAll().orderBy('name_key').execute();
  return rows.map(toPolicyRecord);
}

export async function getPolicy(db: Db | Tx, ref: string): Promise<PolicyRecord> {
  const row = await db
    .selectFrom('ca_policies')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name_key', '=', ref.toLowerCase())]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`no policy ${ref}`);
  return toPolicyRecord(row);
}

export async function listNamedLocations(db: Db | Tx): Promise<NamedLocation[]> {
  const rows = await db.selectFrom('named_locations').select('document').orderBy('name_key').execute();
  return rows.map((r) => readNamedLocation(r.document));
}

/** Approved exceptions that have not ended a day ago or more (older ones can no longer apply). */
export async function loadExceptionsForEvaluation(db: Db | Tx, now = new Date()): Promise<PolicyException[]> {
  const rows = await db
    .selectFrom('policy_exceptions')
    .select(['id', 'policy_id', 'subject_kind', 'subject', 'starts_at', 'ends_at'])
    .where('status', '=', 'approved')
    .where('ends_at', '>=', new Date(now.getTime() - 86_400_000).toISOString())
    .execute();
  return rows.map((r) => ({ id: r.id, policyId: r.policy_id, subjectKind: r.subject_kind, subject: r.subject, startsAt: r.starts_at, endsAt: r.ends_at }));
}

/** Everything evaluation needs, as stored now (in the order of listPolicies and listNamedLocations). */
export async function loadPolicySet(db: Db | Tx, now = new Date()): Promise<PolicySet> {
  const policyRows = await db.selectFrom('ca_policies').select(['id', 'document']).orderBy('name_key').execute();
  const locationRows = await db.selectFrom('named_locations').select('document').orderBy('name_key').execute();
  return policySetFromRows(policyRows, locationRows, await loadExceptionsForEvaluation(db, now));
}

/** Every name a document refers to must exist, so a typo cannot silently widen or narrow a policy. */
export async function validateReferences(db: Db | Tx, doc: PolicyDocument, locations: readonly NamedLocation[]): Promise<void> {
  const a = doc.assignments;
  if (a.users.include !== 'all') {
    for (const name of a.users.include) {
      const found = await db.selectFrom('users').select('id').where('username_key', '=', usernameKey(name)).executeTakeFirst();
      if (!found) throw new InvalidInputError(`policy "${doc.name}": no user ${name}`);
    }
  }
  for (const name of a.groups.include) {
    const found = await db.selectFrom('groups').select('id').where('name_key', '=', name.normalize('NFKC').toLowerCase()).executeTakeFirst();
    if (!found) throw new InvalidInputError(`policy "${doc.name}": no group ${name}`);
  }
  for (const r of [...a.roles.include, ...a.roles.exclude]) if (!isRole(r)) throw new InvalidInputError(`policy "${doc.name}": no role ${r}`);
  const known = new Set(locations.map((l) => l.name.toLowerCase()));
  const loc = doc.conditions.locations;
  for (const n of [...(loc && loc.include !== 'all' ? loc.include : []), ...(loc?.exclude ?? [])]) {
    if (!known.has(n.toLowerCase())) throw new InvalidInputError(`policy "${doc.name}": no named location ${n}`);
  }
  const strength = doc.grant && 'strength' in doc.grant ? doc.grant.strength : undefined;
  if (strength !== undefined && !(await loadActiveStrengths(db)).has(strength)) throw new InvalidInputError(`policy "${doc.name}": no authentication strength ${strength}`);
}

function rowFor(id: string, doc: PolicyDocument, origin: string, version: number, createdAt: string, by: ChangedBy, now: string): CaPoliciesTable {
  const { id: _id, $schema: _s, ...stored } = doc;
  return {
    id,
    name: doc.name,
    name_key: doc.name.toLowerCase(),
    state: doc.state,
    document: JSON.stringify(stored),
    version,
    origin,
    created_at: createdAt,
    updated_at: now,
    updated_by: by.actor,
  };
}

/** Writes one policy (new or replacing) after validation; the caller holds the transaction and runs the lockout gate. */
export async function writePolicy(trx: Tx, doc: PolicyDocument, by: ChangedBy, origin: string, now: string): Promise<{ before: PolicyRecord | null; after: PolicyRecord }> {
  const existing = doc.id
    ? await trx.selectFrom('ca_policies').selectAll().where('id', '=', doc.id).executeTakeFirst()
    : await trx.selectFrom('ca_policies').selectAll().where('name_key', '=', doc.name.toLowerCase()).executeTakeFirst();
  const clash = await trx.selectFrom('ca_policies').select('id').where('name_key', '=', doc.name.toLowerCase()).executeTakeFirst();
  if (clash && clash.id !== (existing?.id ?? doc.id)) throw new ConflictError(`another policy is already named ${doc.name}`);
  if (existing) {
    const before = toPolicyRecord(existing);
    const row = rowFor(existing.id, doc, existing.origin, Number(existing.version) + 1, existing.created_at, by, now);
    await trx.updateTable('ca_policies').set(row).where('id', '=', existing.id).execute();
    return { before, after: toPolicyRecord(row) };
  }
  const row = rowFor(doc.id ?? randomUUID(), doc, origin, 1, now, by, now);
  await trx.insertInto('ca_policies').values(row).execute();
  return { before: null, after: toPolicyRecord(row) };
}

/** Swaps one policy in a set (or adds it), for the lockout check of a proposed change. */
export function withPolicy(set: PolicySet, id: string, doc: PolicyDocument | null): PolicySet {
  const policies = set.policies.filter((p) => p.id !== id);
  if (doc) policies.push({ id, document: doc });
  return { ...set, policies };
}

/** What the audit entry of a change says about an approved downgrade. */
export function downgradeNote(gate: { report: DowngradeReport; approval: DowngradeApproval | null }) {
  return gate.approval ? { ...gate.approval, people: gate.report.people.length } : null;
}

/** Creates a policy, or replaces the one with the same id (or name). */
export async function savePolicy(store: Store, input: PolicyDocumentInput, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<PolicyRecord>> {
  const doc = policyDocumentSchema.parse(input);
  return auditedChange(store, (trx, record) => savePolicyIn(trx, record, doc, by, options));
}

/** savePolicy inside the caller's audited transaction. */
export async function savePolicyIn(trx: Tx, record: RecordAudit, doc: PolicyDocument, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<PolicyRecord>> {
  const now = options.now ?? new Date();
  const current = await loadPolicySet(trx, now);
  await validateReferences(trx, doc, current.namedLocations);
  const existing = current.policies.find((p) => p.id === doc.id || p.document.name.toLowerCase() === doc.name.toLowerCase());
  const id = existing?.id ?? doc.id ?? randomUUID();
  const proposed = withPolicy(current, id, doc);
  const gate = await guardLockout(trx, current, proposed, options.confirmLockout, now);
  const down = await guardDowngrade(trx, current, proposed, options.downgrade, now);
  const { before, after } = await writePolicy(trx, { ...doc, id }, by, 'admin', now.toISOString());
  await record({
    actor: by.actor,
    action: before ? 'policy.update' : 'policy.create',
    target: `policy:${after.id}`,
    requestId: by.requestId,
    before: before ?? undefined,
    after: { ...after, lockoutConfirmation: gate.confirmed, newlyStranded: gate.newlyStranded.length, downgrade: downgradeNote(down) },
  });
  return { value: after, lockout: gate.report, downgrade: down.report };
}

export async function setPolicyState(store: Store, ref: string, state: PolicyState, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<PolicyRecord>> {
  return auditedChange(store, (trx, record) => setPolicyStateIn(trx, record, ref, state, by, options));
}

/** setPolicyState inside the caller's audited transaction. */
export async function setPolicyStateIn(
  trx: Tx, record: RecordAudit, ref: string, state: PolicyState, by: ChangedBy, options: ChangeOptions = {},
): Promise<ChangeResult<PolicyRecord>> {
  const now = options.now ?? new Date();
  const before = await getPolicy(trx, ref);
  const current = await loadPolicySet(trx, now);
  const doc: PolicyDocument = { ...before.document, state };
  const proposed = withPolicy(current, before.id, doc);
  const gate = await guardLockout(trx, current, proposed, options.confirmLockout, now);
  const down = await guardDowngrade(trx, current, proposed, options.downgrade, now);
  const { after } = await writePolicy(trx, { ...doc, id: before.id }, by, before.origin, now.toISOString());
  await record({
    actor: by.actor, action: 'policy.state', target: `policy:${before.id}`, requestId: by.requestId,
    before: { state: before.state }, after: { state, lockoutConfirmation: gate.confirmed, downgrade: downgradeNote(down) },
  });
  return { value: after, lockout: gate.report, downgrade: down.report };
}

/**
 * Deleting a policy only ever opens paths, so it needs no lockout check, but it
 * is a downgrade when the policy asked anyone for more (the built-in ones too);
 * a roll-out stage's policy goes with its stage.
 */
export async function deletePolicy(store: Store, ref: string, by: ChangedBy, options: Pick<ChangeOptions, 'downgrade' | 'now'> = {}): Promise<PolicyRecord> {
  return auditedChange(store, async (trx, record) => (await deletePolicyIn(trx, record, ref, by, options)).value);
}

/** deletePolicy inside the caller's audited transaction. */
export async function deletePolicyIn(
  trx: Tx, record: RecordAudit, ref: string, by: ChangedBy, options: Pick<ChangeOptions, 'downgrade' | 'now'> = {},
): Promise<Omit<ChangeResult<PolicyRecord>, 'lockout'>> {
  const now = options.now ?? new Date();
  const before = await getPolicy(trx, ref);
  const stage = await trx.selectFrom('rollout_stages').select('name').where('policy_id', '=', before.id).executeTakeFirst();
  if (stage) throw new RefusedError(`policy ${before.name} belongs to roll-out stage ${stage.name}; remove the stage instead`);
  const current = await loadPolicySet(trx, now);
  const down = await guardDowngrade(trx, current, withPolicy(current, before.id, null), options.downgrade, now);
  await trx.deleteFrom('policy_exceptions').where('policy_id', '=', before.id).execute();
  await trx.deleteFrom('ca_policies').where('id', '=', before.id).execute();
  await record({ actor: by.actor, action: 'policy.delete', target: `policy:${before.id}`, requestId: by.requestId, before, after: { downgrade: downgradeNote(down) } });
  return { value: before, downgrade: down.report };
}
