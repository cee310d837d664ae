import type { Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { revokeAllForAccountIn } from '../../directory/app-grants.ts';
import { revokeAllSessions } from './sessions.ts';

export interface RevokedEverywhere {
  sessions: number;
  appSessions: number;
  grants: number;
  /** Codes, access and refresh tokens issued to apps. */
  appCredentials: number;
}

/**
 * Ends everything a user is signed in with, inside the caller's transaction:
 * Tessera's own sessions (but `keep`, the one making the change, when given)
 * and every app session, grant, code, access and refresh token issued for
 * them. For changes that take effect together with their own audit entry
 * (a password set or reset, a disabled account, a lost device, offboarding).
 */
export async function endAccessIn(
  trx: Tx, userId: string, options: { keep?: string; now?: Date } = {},
): Promise<RevokedEverywhere & Record<string, number>> {
  const sessions = await revokeAllSessions(trx, userId, options.now, options.keep);
  const apps = await revokeAllForAccountIn(trx, userId);
  return { sessions, appSessions: apps.sessions, grants: apps.grants, appCredentials: apps.tokens };
}

/**
 * Signs a user out everywhere: Tessera's own sessions and, in the same
 * transaction, every app session, grant and token oidc-provider issued for them,
 * so no app can refresh. Audited as one change.
 */
export function revokeEverywhere(
  store: Store,
  userId: string,
  by: { actor: string; requestId?: string | null; reason?: string },
): Promise<RevokedEverywhere> {
  return auditedChange(store, async (trx, record) => {
    const result: RevokedEverywhere = await endAccessIn(trx, userId);
    await record({
      actor: by.actor,
      action: 'session.revoke_all',
      target: `user:${userId}`,
      requestId: by.requestId,
      after: { ...result, reason: by.reason ?? null },
    });
    return result;
  });
}
