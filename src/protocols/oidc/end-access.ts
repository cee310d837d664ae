import type { Tx } from '../../store/store.ts';
import { revokeAllSessions } from '../../signin/session/sessions.ts';
import type { RevokedEverywhere } from '../../signin/session/revoke-everywhere.ts';
import { revokeAllForAccountIn } from '../../directory/app-grants.ts';

/**
 * Ends everything a user is signed in with, inside the caller's transaction:
 * Tessera's own sessions and every app session, grant, code, access and
 * refresh token issued for them (what `session revoke-all` ends). For changes
 * that must take effect together with their own audit entry, such as an
 * admin's password reset.
 */
export async function endAccessIn(trx: Tx, userId: string): Promise<RevokedEverywhere & Record<string, number>> {
  const sessions = await revokeAllSessions(trx, userId);
  const apps = await revokeAllForAccountIn(trx, userId);
  return { sessions, appSessions: apps.sessions, grants: apps.grants, appCredentials: apps.tokens };
}
