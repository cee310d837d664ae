import { LIVE_STATUSES } from '../../tap/model.ts';
import type { StepHandler } from './types.ts';

/**
 * The end of the runbook: the time to recover is recorded (opened → normal
 * sign-in, or → closing when that step was skipped), and the case's pass, if
 * still alive, is revoked so it cannot outlive the case.
 */
export const closeCase: StepHandler = async (c, input) => {
  const closedAt = c.now.toISOString();
  const recoveredAt = c.kase.recovered_at ?? closedAt;
  const seconds = Math.max(0, Math.round((Date.parse(recoveredAt) - Date.parse(c.kase.opened_at)) / 1000));
  let tapRevoked = false;
  if (c.kase.tap_id) {
    const res = await c.trx
      .updateTable('temporary_access_passes')
      .set({ status: 'revoked', ended_at: closedAt, ended_by: c.by.actor, end_reason: 'case closed' })
      .where('id', '=', c.kase.tap_id)
      .where('status', 'in', LIVE_STATUSES)
      .executeTakeFirst();
    tapRevoked = Number(res.numUpdatedRows) > 0;
  }
  return {
    details: { timeToRecoverSeconds: seconds, recoveredAt: c.kase.recovered_at, tapRevoked, notes: input.notes ?? null },
    casePatch: { status: 'closed', closed_at: closedAt, time_to_recover_seconds: seconds },
  };
};
