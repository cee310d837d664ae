import assert from 'node:assert/strict';
import type { Db } from '../../src/store/store.ts';

/**
 * "Never disable MFA as a temporary fix": checked after a runbook from what
 * the system recorded, not from what the test meant to do.
 * - every successful sign-in of the person rests on more than a password (a
 *   second factor, or a pass that stands in for both) and reached MFA;
 * - every session the person held carries 'mfa' in its amr;
 * - nothing that could have lowered what anyone must prove was changed while
 *   the runbook ran: no policy, exception, methods policy or method setting.
 */
const WEAKENING = /^(policy\.|method\.policy\.|method\.settings\.|tap\.policy\.|rollout\.|strength\.|exception\.)/;

export async function mfaWasNeverOff(db: Db, userId: string, sinceSeq: number): Promise<void> {
  const signins = await db.selectFrom('signin_log').selectAll().where('user_id', '=', userId).where('result', '=', 'success').execute();
  assert.ok(signins.length > 0);
  for (const s of signins) {
    const used = JSON.parse(s.methods_used) as string[];
    assert.ok(used.includes('tap') || used.some((m) => m !== 'password'), `a sign-in with ${used.join('+')} only (${s.reason})`);
    assert.ok(s.strength === 'mfa' || s.strength === 'phishing_resistant_mfa', `a sign-in reached ${s.strength} with ${used.join('+')}`);
  }
  const sessions = await db.selectFrom('idp_sessions').select(['amr', 'acr']).where('user_id', '=', userId).execute();
  assert.ok(sessions.length > 0);
  for (const s of sessions) assert.ok((JSON.parse(s.amr) as string[]).includes('mfa'), `a session with amr ${s.amr}`);
  const changes = await db.selectFrom('audit_log').select(['action', 'actor']).where('seq', '>', sinceSeq).execute();
  const weakening = changes.filter((c) => WEAKENING.test(c.action));
  assert.deepEqual(weakening, [], 'no policy or method setting changed during the runbook');
}
