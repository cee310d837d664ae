import { randomUUID } from 'node:crypto';
import type { Tx } from '../../store/store.ts';
import type { RecordAudit } from '../../audit/append.ts';
import { raiseAlert, type Alert } from '../alerts.ts';
import type { DetectionSettings } from './settings.ts';
import { HOUR, MINUTE, ms, type Finding, type RiskEffect } from './model.ts';

/**
 * Raising a finding: its dedupe key first (unique in the store, so a second
 * run on any node adds nothing), then the alert, then the risk it adds,
 * audited 'risk.raise' because conditional access acts on it. Runs inside
 * the scan's audited transaction.
 */
export async function raiseFinding(trx: Tx, record: RecordAudit, f: Finding, s: DetectionSettings): Promise<Alert | null> {
  const windowMs = s.dedupeMinutes * MINUTE;
  if (!f.once) {
    // The window is counted back from this finding, so an attack across a window's edge alerts once too.
    const recent = await trx.selectFrom('detection_hits').select('dedupe_key')
      .where('kind', '=', f.kind).where('subject', '=', f.subject)
      .where('created_at', '>', new Date(ms(f.at) - windowMs).toISOString())
      .limit(1).executeTakeFirst();
    if (recent) return null;
  }
  const key = f.once ? `${f.kind}:${f.subject}` : `${f.kind}:${f.subject}:${Math.floor(ms(f.at) / windowMs)}`;
  const hit = await trx.insertInto('detection_hits')
    .values({ dedupe_key: key, kind: f.kind, subject: f.subject, created_at: f.at, alert_id: null })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  if (Number(hit.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
  if (f.raisedAs) {
    if (f.risk && !(f.risk.userId && (await riskExempt(trx, f.risk.userId)))) await addRisk(trx, record, f.risk, { kind: f.kind, alertId: f.raisedAs.alertId, hours: s.riskHours });
    return null;
  }
  const exempt = f.risk?.userId ? await riskExempt(trx, f.risk.userId) : null;
  const details = exempt ? { ...f.evidence, riskNotRaised: exempt } : f.evidence;
  const alert = await raiseAlert(trx, { severity: f.severity, kind: f.kind, userId: f.userId, username: f.username, details });
  await trx.updateTable('detection_hits').set({ alert_id: alert.id }).where('dedupe_key', '=', key).execute();
  if (f.risk && !exempt) await addRisk(trx, record, f.risk, { kind: f.kind, alertId: alert.id, hours: s.riskHours });
  return alert;
}

export const EXEMPT_REASON = 'a break-glass account must stay usable: its alert is raised, its risk is not';

/**
 * Break-glass accounts are exempt from detection risk: a risk-based policy
 * must never shut the emergency way in (the lockout guard keeps policies from
 * doing so; this keeps detections from it). Their alerts still go out.
 */
export async function riskExempt(trx: Tx, userId: string): Promise<string | null> {
  const row = await trx.selectFrom('users').select('kind').where('id', '=', userId).executeTakeFirst();
  // An account deleted since its rows were written has no risk left to carry.
  if (!row) return 'the account no longer exists';
  return row.kind === 'break_glass' ? EXEMPT_REASON : null;
}

/** Adds a risk signal (one per address for an address-wide one) and audits it. */
export async function addRisk(trx: Tx, record: RecordAudit, risk: RiskEffect, why: { kind: string; alertId: string | null; hours: number }): Promise<void> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + why.hours * HOUR).toISOString();
  const base = { created_at: now.toISOString(), expires_at: expiresAt, level: risk.level, kind: why.kind, alert_id: why.alertId };
  const ips = risk.scope === 'signin' && risk.ips.length ? risk.ips : [null];
  for (const ip of ips) {
    await trx.insertInto('risk_signals').values({ ...base, id: randomUUID(), scope: risk.scope, user_id: risk.userId, ip }).execute();
  }
  const target = risk.userId ? `user:${risk.userId}` : `address:${ips[0]}`;
  await record({
    actor: 'system', action: 'risk.raise', target,
    after: { scope: risk.scope, level: risk.level, kind: why.kind, alertId: why.alertId, expiresAt, addresses: risk.scope === 'signin' ? risk.ips.slice(0, 20) : [] },
  });
}
