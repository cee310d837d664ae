import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { refuseSameApprover } from '../../directory/person-behind.ts';
import { policyBundleSchema, policyDocumentSchema, POLICY_STATES } from '../document.ts';
import type { DowngradeReport } from '../downgrade.ts';
import type { DowngradeApproval } from './downgrade-gate.ts';
import { deletePolicyIn, savePolicyIn, setPolicyStateIn, type ChangeOptions } from './policies.ts';
import { importBundleIn } from './bundle.ts';
import { removeStageIn, setStageEnforcementIn } from './rollout.ts';
import type { PolicyDowngradesTable } from './tables.ts';

/**
 * Downgrades: a policy change that lowers what anyone must reach (deleting or
 * disabling an enforced MFA policy, the built-in ones included, or any edit
 * that asks less of someone) is never made on one administrator's say. It is
 * requested with a reason, shows who loses what, waits for a second
 * administrator, and is applied in the approval's own transaction, where the
 * gates run again against the policies as they are then.
 */
export const DOWNGRADE_REQUEST_DAYS = 7;

const policyRef = z.string().min(1).max(128).describe('Policy id or name');

export const downgradeChangeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('save'), policy: policyDocumentSchema.describe('The policy document to create or replace') }),
  z.strictObject({ kind: z.literal('state'), policy: policyRef, state: z.enum(POLICY_STATES) }),
  z.strictObject({ kind: z.literal('delete'), policy: policyRef }),
  z.strictObject({ kind: z.literal('import'), bundle: policyBundleSchema }),
  z.strictObject({ kind: z.literal('remove_stage'), stage: z.string().min(1).max(128).describe('Roll-out stage id or name') }),
  z.strictObject({ kind: z.literal('stage_enforcement'), stage: z.string().min(1).max(128), enforceAt: z.iso.datetime({ offset: true }) }),
]);
export type DowngradeChange = z.output<typeof downgradeChangeSchema>;

export const downgradeRequestSchema = z.strictObject({
  change: downgradeChangeSchema,
  reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(1000),
  confirmLockout: z.string().trim().min(3).max(500).optional().describe('Reason that confirms a change which also locks some people out'),
});
export type DowngradeRequestInput = z.input<typeof downgradeRequestSchema>;

export interface DowngradeRecord {
  id: string;
  change: DowngradeChange;
  /** The requester's confirmation for a change that also locks some people out; the approval carries it over. */
  confirmLockout: string | null;
  /** "disable Require MFA for admins", "delete …", … */
  summary: string;
  report: DowngradeReport;
  reason: string;
  /** expired: still pending past its seven days, so it can no longer be approved. */
  status: PolicyDowngradesTable['status'] | 'expired';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

export function summarise(c: DowngradeChange): string {
  switch (c.kind) {
    case 'save': return `save policy "${c.policy.name}"`;
    case 'state': return `set policy ${c.policy} to ${c.state}`;
    case 'delete': return `delete policy ${c.policy}`;
    case 'import': return `import ${c.bundle.policies.length} policies and ${c.bundle.namedLocations.length} named locations`;
    case 'remove_stage': return `remove roll-out stage ${c.stage}`;
    case 'stage_enforcement': return `move the enforcement of roll-out stage ${c.stage} to ${c.enforceAt}`;
  }
}

/** Applies a change inside the caller's transaction, with the gates of the ordinary operation. */
async function applyChange(trx: Tx, record: RecordAudit, c: DowngradeChange, by: ChangedBy, options: ChangeOptions): Promise<DowngradeReport> {
  switch (c.kind) {
    case 'save': return (await savePolicyIn(trx, record, c.policy, by, options)).downgrade;
    case 'state': return (await setPolicyStateIn(trx, record, c.policy, c.state, by, options)).downgrade;
    case 'delete': return (await deletePolicyIn(trx, record, c.policy, by, options)).downgrade;
    case 'import': return (await importBundleIn(trx, record, c.bundle, by, options)).downgrade;
    case 'remove_stage': return (await removeStageIn(trx, record, c.stage, by, options)).downgrade;
    case 'stage_enforcement': return (await setStageEnforcementIn(trx, record, c.stage, c.enforceAt, by, options)).downgrade;
  }
}

/** Thrown to roll back a trial run once its report is known. */
class TrialDone extends Error {
  readonly report: DowngradeReport;
  constructor(report: DowngradeReport) {
    super('trial run');
    this.report = report;
  }
}

/**
 * Who would lose what, without changing anything: the change runs with every
 * check in a transaction that is then rolled back.
 */
export async function previewDowngrade(store: Store, input: z.input<typeof downgradeChangeSchema>, by: ChangedBy, confirmLockout?: string): Promise<DowngradeReport> {
  const change = downgradeChangeSchema.parse(input);
  const trial: DowngradeApproval = { requestId: 'preview', requestedBy: by.actor, approvedBy: 'preview' };
  try {
    await auditedChange(store, async (trx, record) => {
      throw new TrialDone(await applyChange(trx, record, change, by, { downgrade: trial, confirmLockout }));
    });
  } catch (err) {
    if (err instanceof TrialDone) return err.report;
    throw err;
  }
  throw new Error('unreachable: the trial run always rolls back');
}

/** The change column holds the change and the requester's lockout confirmation. */
const storedSchema = z.object({ change: downgradeChangeSchema, confirmLockout: z.string().nullable() });

function toRecord(r: PolicyDowngradesTable, now: Date): DowngradeRecord {
  const expired = r.status === 'pending' && Date.parse(r.requested_at) + DOWNGRADE_REQUEST_DAYS * 86_400_000 < now.getTime();
  const stored = storedSchema.parse(JSON.parse(r.change));
  return {
    id: r.id, change: stored.change, confirmLockout: stored.confirmLockout, summary: '', report: JSON.parse(r.report) as DowngradeReport,
    reason: r.reason, status: expired ? 'expired' : r.status, requestedBy: r.requested_by, requestedAt: r.requested_at,
    decidedBy: r.decided_by, decidedAt: r.decided_at,
  };
}

const withSummary = (d: DowngradeRecord): DowngradeRecord => ({ ...d, summary: summarise(d.change) });

/** Asks for a downgrade; refused when the change lowers nothing (then it needs no second person). */
export async function requestDowngrade(store: Store, input: DowngradeRequestInput, by: ChangedBy, now = new Date()): Promise<DowngradeRecord> {
  const req = downgradeRequestSchema.parse(input);
  const report = await previewDowngrade(store, req.change, by, req.confirmLockout);
  if (report.losses.length === 0) throw new RefusedError('this change lowers nothing anyone must reach: make it directly, no approval is needed');
  return auditedChange(store, async (trx, record) => {
    const row: PolicyDowngradesTable = {
      id: randomUUID(), change: JSON.stringify({ change: req.change, confirmLockout: req.confirmLockout ?? null }), report: JSON.stringify(report),
      reason: req.reason, status: 'pending', requested_by: by.actor, requested_at: now.toISOString(), decided_by: null, decided_at: null,
    };
    await trx.insertInto('policy_downgrades').values(row).execute();
    const out = withSummary(toRecord(row, now));
    await record({
      actor: by.actor, action: 'policy.downgrade.request', target: `downgrade:${row.id}`, requestId: by.requestId,
      after: { summary: out.summary, reason: out.reason, people: report.people, losses: report.losses.length },
    });
    return out;
  });
}

/** What approval hands to whoever announces it (the alert), inside the same transaction. */
export type OnDowngradeApplied = (trx: Tx, applied: DowngradeRecord) => Promise<void>;

async function pendingRow(trx: Tx, id: string, now: Date): Promise<PolicyDowngradesTable> {
  const row = await trx.selectFrom('policy_downgrades').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no downgrade request ${id}`);
  const status = toRecord(row, now).status;
  if (status !== 'pending') throw new RefusedError(`downgrade request ${id} is ${status}`);
  return row;
}

/**
 * A second administrator approves: the change is applied now, in this
 * transaction (every gate runs again on the policies as they are), audited
 * under the approver with the request's id, and announced by `onApplied`.
 */
export async function approveDowngrade(store: Store, id: string, by: ChangedBy, onApplied?: OnDowngradeApplied, now = new Date()): Promise<DowngradeRecord> {
  return auditedChange(store, async (trx, record) => {
    const row = await pendingRow(trx, id, now);
    await refuseSameApprover(trx, row.requested_by, by.actor, 'a downgrade');
    const requested = toRecord(row, now);
    const approval: DowngradeApproval = { requestId: id, requestedBy: row.requested_by, approvedBy: by.actor };
    const options = { downgrade: approval, now, confirmLockout: requested.confirmLockout ?? undefined };
    const report = await applyChange(trx, record, requested.change, by, options);
    const set = { status: 'applied' as const, decided_by: by.actor, decided_at: now.toISOString(), report: JSON.stringify(report) };
    await trx.updateTable('policy_downgrades').set(set).where('id', '=', id).execute();
    const out = withSummary(toRecord({ ...row, ...set }, now));
    await record({
      actor: by.actor, action: 'policy.downgrade.approve', target: `downgrade:${id}`, requestId: by.requestId,
      before: { status: 'pending', requestedBy: row.requested_by }, after: { status: 'applied', summary: out.summary, people: report.people },
    });
    await onApplied?.(trx, out);
    return out;
  });
}

/** Turns a request down (anyone with the permission, the requester too: it only keeps things as they are). */
export async function rejectDowngrade(store: Store, id: string, by: ChangedBy, now = new Date()): Promise<DowngradeRecord> {
  return auditedChange(store, async (trx, record) => {
    const row = await pendingRow(trx, id, now);
    const set = { status: 'rejected' as const, decided_by: by.actor, decided_at: now.toISOString() };
    await trx.updateTable('policy_downgrades').set(set).where('id', '=', id).execute();
    await record({ actor: by.actor, action: 'policy.downgrade.reject', target: `downgrade:${id}`, requestId: by.requestId, before: { status: 'pending' }, after: { status: 'rejected' } });
    return withSummary(toRecord({ ...row, ...set }, now));
  });
}

export const downgradeFilterSchema = z.object({ status: z.enum(['pending', 'all']).default('pending') });

export async function listDowngrades(db: Db | Tx, filter: z.input<typeof downgradeFilterSchema> = {}, now = new Date()): Promise<DowngradeRecord[]> {
  const f = downgradeFilterSchema.parse(filter);
  let q = db.selectFrom('policy_downgrades').selectAll();
  if (f.status === 'pending') q = q.where('status', '=', 'pending');
  const rows = await q.orderBy('requested_at', 'desc').orderBy('id').limit(500).execute();
  return rows.map((r) => withSummary(toRecord(r, now))).filter((d) => f.status === 'all' || d.status === 'pending');
}

export async function getDowngrade(db: Db | Tx, id: string, now = new Date()): Promise<DowngradeRecord> {
  const row = await db.selectFrom('policy_downgrades').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no downgrade request ${id}`);
  return withSummary(toRecord(row, now));
}
