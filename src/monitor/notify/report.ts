import type { Store } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { reserveAttempt, settleSuccess, type ThrottleKey } from '../../methods/throttle/index.ts';
import { raiseAlert } from '../alerts.ts';
import { addRisk, riskExempt } from '../detections/raise.ts';
import { loadDetectionSettings } from '../detections/settings.ts';
import { lookUpReportLink, useReportLink, type LinkState } from './links.ts';

/**
 * A person's "this wasn't me": a high alert for the security team, the
 * person's user risk raised to high (so conditional access asks more of, or
 * blocks, sign-ins to the account until the alert is acknowledged or the risk
 * runs out), audited 'report.not_me'. Every look at a link is rate-limited
 * per address: a link is a secret, and guessing one is refused early.
 */
export type ReportOutcome = { kind: 'reported' } | { kind: 'unknown' | 'used' | 'expired' | 'throttled' };

export interface Reporter {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

/** No account is named, so only the per-address limit applies (the method counts nothing without an account). */
const throttleKey = (ip: string): ThrottleKey => ({ ip, method: 'tap' });

/** Reads a link for its confirmation page; never uses it up (mail scanners fetch links too). */
export async function checkReportLink(store: Store, token: string, who: Reporter): Promise<LinkState | { kind: 'throttled' }> {
  const reservation = await reserveAttempt(store, throttleKey(who.ip));
  if (!reservation.allowed) return { kind: 'throttled' };
  const state = await lookUpReportLink(store.db, token);
  if (state.kind !== 'unknown') await settleSuccess(store, reservation.attempt);
  return state;
}

export async function confirmReport(store: Store, token: string, who: Reporter): Promise<ReportOutcome> {
  const checked = await checkReportLink(store, token, who);
  if (checked.kind !== 'ok') return { kind: checked.kind };
  const { link } = checked;
  const s = await loadDetectionSettings(store.db);
  return auditedChange(store, async (trx, record) => {
    if (!(await useReportLink(trx, link.id))) return { kind: 'used' };
    const user = await trx.selectFrom('users').select('username').where('id', '=', link.user_id).executeTakeFirst();
    const notice = JSON.parse(link.notice) as Record<string, unknown>;
    const exempt = await riskExempt(trx, link.user_id);
    const alert = await raiseAlert(trx, {
      severity: 'high', kind: 'user.reported_not_me', userId: link.user_id, username: user?.username ?? null,
      details: { notice: link.notice_kind, ...notice, noticeSentAt: link.created_at, reportedFrom: who.ip, userAgent: who.userAgent, ...(exempt ? { riskNotRaised: exempt } : {}) },
    });
    if (!exempt) await addRisk(trx, record, { scope: 'user', level: 'high', userId: link.user_id }, { kind: 'user.reported_not_me', alertId: alert.id, hours: s.riskHours });
    await record({
      actor: `user:${link.user_id}`, action: 'report.not_me', target: `user:${link.user_id}`, requestId: who.requestId,
      after: { notice: link.notice_kind, linkId: link.id, alertId: alert.id },
    });
    return { kind: 'reported' };
  });
}
