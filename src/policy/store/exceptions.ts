import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { InvalidInputError, NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { refuseSameApprover } from '../../directory/person-behind.ts';
import { resolveUser } from '../../directory/users.ts';
import { resolveGroup } from '../../directory/groups.ts';
import type { PolicyExceptionsTable } from './tables.ts';
import { getPolicy } from './policies.ts';
import { loadPolicySettings } from './settings.ts';

/**
 * Exceptions: the only way to exclude a person or a group from a policy, and so
 * the only way to relax MFA for someone. Each has a reason, an end date no
 * further than the configured maximum (30 days by default, at most 90) and an
 * approver who is not the requester. It applies only once approved, and stops
 * by itself: evaluation compares its end with the time of each sign-in.
 */
export const EXPIRING_SOON_DAYS = 7;

export const exceptionRequestSchema = z.strictObject({
  policy: z.string().min(1).max(128).describe('Policy id or name'),
  user: z.string().min(1).max(128).optional().describe('Username or id of the person to exclude'),
  group: z.string().min(1).max(128).optional().describe('Name or id of the group to exclude'),
  endsAt: z
    .string()
    .min(10)
    .max(40)
    .describe('End date (YYYY-MM-DD: through the end of that day, UTC) or an ISO date-time'),
  reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(1000),
}).refine((r) => (r.user === undefined) !== (r.group === undefined), 'name either a user or a group');
export type ExceptionRequest = z.input<typeof exceptionRequestSchema>;

export interface ExceptionRecord {
  id: string;
  policyId: string;
  policyName: string;
  subjectKind: 'user' | 'group';
  subject: string;
  reason: string;
  status: PolicyExceptionsTable['status'];
  /** active: approved and within its window now; expired: past its end. */
  effective: 'pending' | 'active' | 'scheduled' | 'expired' | 'rejected' | 'revoked';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  startsAt: string;
  endsAt: string;
}

/** "2026-12-01" means through the end of that day (UTC); a date-time means that instant. */
export function parseEndDate(text: string): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = day ? new Date(`${text}T23:59:59.999Z`) : new Date(text);
  if (Number.isNaN(d.getTime()) || (day && d.toISOString().slice(0, 10) !== text)) throw new InvalidInputError(`endsAt: ${text} is not a date`);
  return d;
}

function effectiveOf(r: PolicyExceptionsTable, now: Date): ExceptionRecord['effective'] {
  if (r.status !== 'approved') return r.status;
  const t = now.toISOString();
  if (t > r.ends_at) return 'expired';
  return t < r.starts_at ? 'scheduled' : 'active';
}

async function toRecord(db: Db | Tx, r: PolicyExceptionsTable, now: Date): Promise<ExceptionRecord> {
  const p = await db.selectFrom('ca_policies').select('name').where('id', '=', r.policy_id).executeTakeFirst();
  return {
    id: r.id, policyId: r.policy_id, policyName: p?.name ?? r.policy_id, subjectKind: r.subject_kind, subject: r.subject, reason: r.reason,
    status: r.status, effective: effectiveOf(r, now), requestedBy: r.requested_by, requestedAt: r.requested_at,
    decidedBy: r.decided_by, decidedAt: r.decided_at, startsAt: r.starts_at, endsAt: r.ends_at,
  };
}

export async function requestException(store: Store, input: ExceptionRequest, by: ChangedBy, now = new Date()): Promise<ExceptionRecord> {
  const req = exceptionRequestSchema.parse(input);
  const endsAt = parseEndDate(req.endsAt);
  return auditedChange(store, async (trx, record) => {
    const settings = await loadPolicySettings(trx);
    if (endsAt.getTime() <= now.getTime()) throw new InvalidInputError('endsAt: the end date must be in the future');
    const limit = now.getTime() + settings.exceptionMaxDays * 86_400_000;
    if (endsAt.getTime() > limit) {
      throw new InvalidInputError(`endsAt: an exception may last at most ${settings.exceptionMaxDays} days (until ${new Date(limit).toISOString().slice(0, 10)})`);
    }
    const policy = await getPolicy(trx, req.policy);
    const subject = req.user
      ? { kind: 'user' as const, ...(({ id, username }) => ({ id, name: username }))(await resolveUser(trx, req.user)) }
      : { kind: 'group' as const, ...(({ id, name }) => ({ id, name }))(await resolveGroup(trx, req.group!)) };
    const row: PolicyExceptionsTable = {
      id: randomUUID(),
      policy_id: policy.id,
      subject_kind: subject.kind,
      subject: subject.name,
      subject_id: subject.id,
      reason: req.reason,
      status: 'pending',
      requested_by: by.actor,
      requested_at: now.toISOString(),
      decided_by: null,
      decided_at: null,
      starts_at: now.toISOString(),
      ends_at: endsAt.toISOString(),
    };
    await trx.insertInto('policy_exceptions').values(row).execute();
    const out = await toRecord(trx, row, now);
    await record({ actor: by.actor, action: 'policy.exception.request', target: `exception:${row.id}`, requestId: by.requestId, after: out });
    return out;
  });
}

async function decide(store: Store, id: string, by: ChangedBy, verdict: 'approved' | 'rejected', now: Date): Promise<ExceptionRecord> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('policy_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no exception ${id}`);
    if (row.status !== 'pending') throw new RefusedError(`exception ${id} is already ${row.status}`);
    await refuseSameApprover(trx, row.requested_by, by.actor, 'an exception');
    if (verdict === 'approved' && row.ends_at <= now.toISOString()) throw new RefusedError(`exception ${id} ended before it was approved`);
    const before = await toRecord(trx, row, now);
    // The window starts at approval: nothing was excluded while the request waited.
    const set = { status: verdict, decided_by: by.actor, decided_at: now.toISOString(), starts_at: verdict === 'approved' ? now.toISOString() : row.starts_at };
    await trx.updateTable('policy_exceptions').set(set).where('id', '=', id).execute();
    const after = await toRecord(trx, { ...row, ...set }, now);
    await record({ actor: by.actor, action: `policy.exception.${verdict === 'approved' ? 'approve' : 'reject'}`, target: `exception:${id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export const approveException = (store: Store, id: string, by: ChangedBy, now = new Date()) => decide(store, id, by, 'approved', now);
export const rejectException = (store: Store, id: string, by: ChangedBy, now = new Date()) => decide(store, id, by, 'rejected', now);

/** Ends an exception early (anyone with the permission may: revoking only tightens). */
export async function revokeException(store: Store, id: string, by: ChangedBy, now = new Date()): Promise<ExceptionRecord> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('policy_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no exception ${id}`);
    if (row.status === 'revoked' || row.status === 'rejected') throw new RefusedError(`exception ${id} is already ${row.status}`);
    const before = await toRecord(trx, row, now);
    const set = { status: 'revoked' as const, decided_by: by.actor, decided_at: now.toISOString() };
    await trx.updateTable('policy_exceptions').set(set).where('id', '=', id).execute();
    const after = await toRecord(trx, { ...row, ...set }, now);
    await record({ actor: by.actor, action: 'policy.exception.revoke', target: `exception:${id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export const exceptionFilterSchema = z.object({
  status: z.enum(['active', 'expiring', 'pending', 'all']).default('active'),
  policy: z.string().min(1).max(128).optional(),
});

/**
 * Exceptions by state: active (approved, in their window now), expiring
 * (active and ending within 7 days), pending (awaiting an approver), all.
 */
export async function listExceptions(db: Db | Tx, filter: z.input<typeof exceptionFilterSchema> = {}, now = new Date()): Promise<ExceptionRecord[]> {
  const f = exceptionFilterSchema.parse(filter);
  let q = db.selectFrom('policy_exceptions').selectAll();
  if (f.policy) q = q.where('policy_id', '=', (await getPolicy(db, f.policy)).id);
  const t = now.toISOString();
  if (f.status === 'pending') q = q.where('status', '=', 'pending');
  if (f.status === 'active' || f.status === 'expiring') {
    q = q.where('status', '=', 'approved').where('starts_at', '<=', t).where('ends_at', '>=', t);
    if (f.status === 'expiring') q = q.where('ends_at', '<=', new Date(now.getTime() + EXPIRING_SOON_DAYS * 86_400_000).toISOString());
  }
  const rows = await q.orderBy('ends_at').orderBy('id').limit(1000).execute();
  const out: ExceptionRecord[] = [];
  for (const r of rows) out.push(await toRecord(db, r, now));
  return out;
}
