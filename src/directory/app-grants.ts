import type { Db, Tx } from '../store/store.ts';

/**
 * What apps hold for a user — oidc-provider's sessions, grants, codes and
 * tokens, rows of oidc_payloads — and ending all of it. It lives here, below the
 * flows that end a user's access (sign-out everywhere, a lost device,
 * offboarding), so they need not reach up into the protocol layer; the OIDC
 * adapter (src/protocols/oidc/adapter.ts) writes these rows and re-exports this.
 */

/** Models whose rows belong to a grant and go when the grant is revoked. */
const GRANT_BOUND = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];

export interface RevokedForAccount {
  sessions: number;
  grants: number;
  tokens: number;
}

/**
 * Signs an account out of every app inside a transaction the caller holds
 * (e.g. alongside its audit entry): its provider sessions, its grants and every
 * code and token issued under those grants, refresh tokens included.
 */
export async function revokeAllForAccountIn(trx: Tx | Db, accountId: string): Promise<RevokedForAccount> {
  const grants = await trx
    .selectFrom('oidc_payloads')
    .select('id')
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .execute();
  const grantIds = grants.map((g) => g.id);
  let tokens = 0;
  if (grantIds.length) {
    const byGrant = await trx
      .deleteFrom('oidc_payloads')
      .where('model', 'in', GRANT_BOUND)
      .where('grant_id', 'in', grantIds)
      .executeTakeFirst();
    tokens += Number(byGrant.numDeletedRows);
  }
  // Tokens carry the account too; catch any whose grant row is already gone.
  const byAccount = await trx
    .deleteFrom('oidc_payloads')
    .where('model', 'in', GRANT_BOUND)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  tokens += Number(byAccount.numDeletedRows);
  const grantRows = await trx
    .deleteFrom('oidc_payloads')
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const sessions = await trx
    .deleteFrom('oidc_payloads')
    .where('model', '=', 'Session')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), grants: Number(grantRows.numDeletedRows), tokens };
}
