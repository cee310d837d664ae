import { randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { InvalidInputError, NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { namedLocationSchema, policyBundleSchema, type NamedLocation, type PolicyBundle } from '../document.ts';
import { rangeProblem } from '../ip-ranges.ts';
import type { PolicySet } from '../model.ts';
import { guardLockout } from './lockout-gate.ts';
import { guardDowngrade } from './downgrade-gate.ts';
import type { RecordAudit } from '../../audit/append.ts';
import {
  downgradeNote, listNamedLocations, listPolicies, loadPolicySet, validateReferences, withPolicy, writePolicy, type ChangeOptions, type ChangeResult,
} from './policies.ts';

/**
 * Named locations, and policies as a bundle: export writes every named
 * location and policy as one JSON document (the published schema); import
 * validates it, checks every reference, runs the lockout analysis on the
 * whole result and only then changes anything, in one transaction.
 */
export function checkLocation(l: NamedLocation): void {
  for (const r of l.ipRanges ?? []) {
    const problem = rangeProblem(r);
    if (problem) throw new InvalidInputError(`named location ${l.name}: ${problem}`);
  }
}

async function writeLocation(trx: Tx, l: NamedLocation, now: string): Promise<NamedLocation | null> {
  const key = l.name.toLowerCase();
  const existing = await trx.selectFrom('named_locations').selectAll().where('name_key', '=', key).executeTakeFirst();
  if (existing) {
    await trx.updateTable('named_locations').set({ name: l.name, document: JSON.stringify(l), updated_at: now }).where('id', '=', existing.id).execute();
    return namedLocationSchema.parse(JSON.parse(existing.document));
  }
  await trx.insertInto('named_locations').values({ id: randomUUID(), name: l.name, name_key: key, document: JSON.stringify(l), created_at: now, updated_at: now }).execute();
  return null;
}

function withLocation(set: PolicySet, l: NamedLocation): PolicySet {
  return { ...set, namedLocations: [...set.namedLocations.filter((x) => x.name.toLowerCase() !== l.name.toLowerCase()), l] };
}

/**
 * Creates or replaces a named location; a changed range can change who a
 * policy applies to, so the lockout gate runs, and so does the downgrade gate
 * (a wider trusted range can lower what people there must reach).
 */
export async function saveNamedLocation(store: Store, input: unknown, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<NamedLocation>> {
  const l = namedLocationSchema.parse(input);
  checkLocation(l);
  const now = options.now ?? new Date();
  return auditedChange(store, async (trx, record) => {
    const current = await loadPolicySet(trx, now);
    const proposed = withLocation(current, l);
    const gate = await guardLockout(trx, current, proposed, options.confirmLockout, now);
    const down = await guardDowngrade(trx, current, proposed, options.downgrade, now);
    const before = await writeLocation(trx, l, now.toISOString());
    await record({ actor: by.actor, action: before ? 'policy.location.update' : 'policy.location.create', target: `location:${l.name}`, requestId: by.requestId, before: before ?? undefined, after: l });
    return { value: l, lockout: gate.report, downgrade: down.report };
  });
}

export async function deleteNamedLocation(store: Store, name: string, by: ChangedBy): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('named_locations').selectAll().where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    if (!row) throw new NotFoundError(`no named location ${name}`);
    const users = (await listPolicies(trx)).filter((p) => {
      const loc = p.document.conditions.locations;
      const names = [...(loc && loc.include !== 'all' ? loc.include : []), ...(loc?.exclude ?? [])].map((n) => n.toLowerCase());
      return names.includes(name.toLowerCase());
    });
    if (users.length) throw new RefusedError(`named location ${row.name} is used by ${users.map((p) => p.name).join(', ')}`);
    await trx.deleteFrom('named_locations').where('id', '=', row.id).execute();
    await record({ actor: by.actor, action: 'policy.location.delete', target: `location:${row.name}`, requestId: by.requestId, before: JSON.parse(row.document) as unknown });
  });
}

export async function exportBundle(db: Db | Tx): Promise<PolicyBundle> {
  const policies = await listPolicies(db);
  return {
    $schema: '/api/policy.schema.json',
    namedLocations: await listNamedLocations(db),
    policies: policies.map((p) => ({ id: p.id, ...p.document })),
  };
}

export interface ImportSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  locations: string[];
}

/**
 * Imports a bundle: every policy in it is created or replaced (matched by id,
 * then by name); policies not in the bundle are left alone. Nothing changes
 * unless the whole bundle validates and passes the lockout gate.
 */
export async function importBundle(store: Store, input: unknown, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<ImportSummary>> {
  const bundle = policyBundleSchema.parse(input);
  return auditedChange(store, (trx, record) => importBundleIn(trx, record, bundle, by, options));
}

/** importBundle inside the caller's audited transaction. */
export async function importBundleIn(trx: Tx, record: RecordAudit, bundle: PolicyBundle, by: ChangedBy, options: ChangeOptions = {}): Promise<ChangeResult<ImportSummary>> {
  const now = options.now ?? new Date();
  for (const l of bundle.namedLocations) checkLocation(l);
  const names = bundle.policies.map((p) => p.name.toLowerCase());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InvalidInputError(`the bundle names policy ${dup} twice`);
  const current = await loadPolicySet(trx, now);
  let proposed = current;
  for (const l of bundle.namedLocations) proposed = withLocation(proposed, l);
  const ids: string[] = [];
  for (const doc of bundle.policies) {
    await validateReferences(trx, doc, proposed.namedLocations);
    const existing = current.policies.find((p) => p.id === doc.id) ?? current.policies.find((p) => p.document.name.toLowerCase() === doc.name.toLowerCase());
    const id = existing?.id ?? doc.id ?? randomUUID();
    ids.push(id);
    proposed = withPolicy(proposed, id, doc);
  }
  const gate = await guardLockout(trx, current, proposed, options.confirmLockout, now);
  const down = await guardDowngrade(trx, current, proposed, options.downgrade, now);
  const summary: ImportSummary = { created: [], updated: [], unchanged: [], locations: [] };
  for (const l of bundle.namedLocations) {
    await writeLocation(trx, l, now.toISOString());
    summary.locations.push(l.name);
  }
  for (const [i, doc] of bundle.policies.entries()) {
    const before = current.policies.find((p) => p.id === ids[i]);
    const { id: _id, $schema: _s, ...plain } = doc;
    if (before && JSON.stringify(before.document) === JSON.stringify({ ...plain })) {
      summary.unchanged.push(doc.name);
      continue;
    }
    await writePolicy(trx, { ...doc, id: ids[i] }, by, 'admin', now.toISOString());
    (before ? summary.updated : summary.created).push(doc.name);
  }
  await record({
    actor: by.actor, action: 'policy.import', target: 'policy:bundle', requestId: by.requestId,
    after: { ...summary, lockoutConfirmation: gate.confirmed, newlyStranded: gate.newlyStranded.length, downgrade: downgradeNote(down) },
  });
  return { value: summary, lockout: gate.report, downgrade: down.report };
}
