import { findUserById, rolesOf } from '../../../directory/users.ts';
import { raiseAlert } from '../../../monitor/alerts.ts';
import { endAccessIn } from '../../../signin/session/revoke-everywhere.ts';
import type { BoundCredential } from '../../devices/bindings.ts';
import { isPrivileged } from '../../operator.ts';
import type { StepContext } from './types.ts';

export interface LostCredentialsResult {
  sessions: number;
  appSessions: number;
  grants: number;
  appCredentials: number;
  alertId: string;
}

/**
 * A lost phone's methods (or a lost key) named one by one instead of through
 * a device: whoever finds them holds them just the same, so they end what a
 * device reported lost ends. Every session and app token of the person is
 * revoked (the pass's session too: they sign in again with the new method)
 * and an alert is written, high for a privileged account, in the step's
 * transaction.
 */
export async function credentialsLost(c: StepContext, removed: BoundCredential[]): Promise<LostCredentialsResult> {
  const user = await findUserById(c.trx, c.kase.user_id);
  const now = c.now;
  const ended = await endAccessIn(c.trx, c.kase.user_id, { now });
  const methods = removed.map((m) => ({ type: m.type, id: m.id, label: m.label }));
  const summary = { removedMethods: methods, ...ended, reportedBy: 'helpdesk' as const };
  await c.record({
    actor: c.by.actor, action: 'session.revoke_all', target: `user:${c.kase.user_id}`, requestId: c.by.requestId,
    after: { ...summary, reason: 'methods_lost', caseId: c.kase.id },
  });
  const privileged = user ? isPrivileged(user, await rolesOf(c.trx, user.id)) : false;
  const alert = await raiseAlert(c.trx, {
    severity: privileged ? 'high' : 'medium',
    kind: 'device.lost',
    userId: c.kase.user_id,
    username: c.kase.username,
    details: { deviceId: null, actor: c.by.actor, note: `case ${c.kase.id}`, ...summary },
    at: now,
  });
  return { ...ended, alertId: alert.id };
}
