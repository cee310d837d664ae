import type { Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { ConflictError, NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { findUserById } from '../../directory/users.ts';
import { resolveOperator, type Operator } from '../operator.ts';
import { noteTapApproved } from '../cases/progress.ts';
import { checkApprover, refuseSelf } from './issue.ts';
import { toTapView, withNames, type TapView } from './model.ts';

/**
 * Four-eyes: a pending pass becomes usable when a second privileged person
 * approves it: not its issuer, not its holder, and the named approver if the
 * issuer named one. The same API token cannot both issue and approve.
 * Audited 'tap.approve'.
 */
export async function approveTap(store: Store, tapId: string, approverRef: string, by: ChangedBy & { now?: Date }): Promise<TapView> {
  const now = by.now ?? new Date();
  return auditedChange(store, async (trx, record) => {
    const { tap, approver } = await approveTapIn(trx, record, tapId, approverRef, by, now);
    // A pass of a helpdesk case: its approve_tap step is done by this approval.
    await noteTapApproved(trx, record, tap, approver.userId, by, now);
    return tap;
  });
}

/** The same, inside an audited transaction the caller holds (the case's approve_tap step). */
export async function approveTapIn(
  trx: Tx, record: RecordAudit, tapId: string, approverRef: string, by: ChangedBy, now: Date,
): Promise<{ tap: TapView; approver: Operator }> {
  const row = await trx.selectFrom('temporary_access_passes').selectAll().where('id', '=', tapId).executeTakeFirst();
  if (!row) throw new NotFoundError(`no Temporary Access Pass ${tapId}`);
  if (row.status !== 'pending_approval') throw new ConflictError(`this pass is ${row.status.replace('_', ' ')}, not waiting for approval`);
  if (row.expires_at <= now.toISOString()) throw new RefusedError('this pass expired before it was approved; issue a new one');
  const approver = await resolveOperator(trx, approverRef);
  refuseSelf(approver, row.user_id, by.actor);
  checkApprover(approver, row.issued_by, row.user_id);
  if (row.approver_id && row.approver_id !== approver.userId) {
    const named = await findUserById(trx, row.approver_id);
    throw new RefusedError(`the issuer named ${named?.username ?? 'another person'} to approve this pass`);
  }
  if (row.created_by.startsWith('token:') && row.created_by === by.actor) {
    throw new RefusedError('the API token that issued this pass cannot also approve it: the approver uses their own');
  }
  const at = now.toISOString();
  const done = await trx
    .updateTable('temporary_access_passes')
    .set({ status: 'active', approved_by: approver.userId, approved_at: at })
    .where('id', '=', tapId)
    .where('status', '=', 'pending_approval')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw new ConflictError('this pass changed while it was being approved; look at it again');
  const [after] = await withNames(trx, [toTapView({ ...row, status: 'active', approved_by: approver.userId, approved_at: at }, now)]);
  await record({
    actor: by.actor,
    action: 'tap.approve',
    target: `user:${row.user_id}`,
    requestId: by.requestId,
    before: toTapView(row, now),
    after: after!,
  });
  return { tap: after!, approver };
}
