import type { Store } from '../../store/store.ts';
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
    const sessions = await revokeAllSessions(trx, userId);
    const apps = await revokeAllForAccountIn(trx, userId);
    const result = { sessions, appSessions: apps.sessions, grants: apps.grants, appCredentials: apps.tokens };
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
