import type { Account, ClaimsObject } from 'oidc-provider';
import { findUserById } from '../../directory/users.ts';
import type { Store } from '../../store/store.ts';

/** Scope → claims Tessera can release. `sub` is always the user id, never the username. */
export const CLAIMS = {
  acr: null,
  amr: null,
  auth_time: null,
  sid: null,
  iss: null,
  // acr, amr and auth_time ride with openid so every ID token says how the user signed in.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'preferred_username'],
  email: ['email'],
} as const;

export const SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * oidc-provider's findAccount. A disabled or deleted user has no account:
 * oidc-provider then refuses codes and refresh tokens ("referenced account not
 * found"), userinfo ("associated account not found") and, through the
 * account_unavailable login check in provider.ts, sends a browser with an old
 * session back to sign in.
 */
export function accountFinder(store: Store): (ctx: unknown, sub: string) => Promise<Account | undefined> {
  return async (_ctx, sub) => {
    const user = await findUserById(store.db, sub);
    if (!user || user.status !== 'active') return undefined;
    return {
      accountId: user.id,
      claims(): ClaimsObject {
        return {
          sub: user.id,
          preferred_username: user.username,
          name: user.displayName ?? user.username,
          ...(user.email ? { email: user.email } : {}),
        };
      },
    };
  };
}
