import { payloadKey } from '../oidc/adapter.ts';
import type { Db } from '../../store/store.ts';

/**
 * What SAML Single Logout ends besides Tessera's session: the OIDC apps'
 * sessions in this browser, as RP-initiated logout (logout=yes) does — the
 * browser's oidc-provider session goes, and with it every grant it holds that
 * is not meant to outlive a logout (offline_access grants persist), with the
 * codes and tokens issued under them. Only a session of the same person is
 * touched. The cookie's value is the session's id, which is its bearer secret,
 * so only its own browser can name it.
 */
export const OP_SESSION_COOKIE = 'tessera_op_session';
const GRANT_BOUND = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];

interface SessionPayload {
  accountId?: string;
  authorizations?: Record<string, { grantId?: string; persistsLogout?: boolean }>;
}

export async function endOidcBrowserSession(db: Db, opSessionId: string | undefined, userId: string): Promise<{ grants: number }> {
  if (!opSessionId || opSessionId.length > 256) return { grants: 0 };
  const key = payloadKey(opSessionId);
  const row = await db.selectFrom('oidc_payloads').select(['payload', 'account_id']).where('model', '=', 'Session').where('id', '=', key).executeTakeFirst();
  if (!row || row.account_id !== userId) return { grants: 0 };
  let payload: SessionPayload;
  try {
    payload = JSON.parse(row.payload) as SessionPayload;
  } catch {
    payload = {};
  }
  const grantKeys = Object.values(payload.authorizations ?? {})
    .filter((a) => typeof a.grantId === 'string' && a.grantId && !a.persistsLogout)
    .map((a) => payloadKey(a.grantId!));
  await db.transaction().execute(async (trx) => {
    if (grantKeys.length) {
      await trx.deleteFrom('oidc_payloads').where('model', 'in', GRANT_BOUND).where('grant_id', 'in', grantKeys).execute();
      await trx.deleteFrom('oidc_payloads').where('model', '=', 'Grant').where('id', 'in', grantKeys).execute();
    }
    await trx.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', '=', key).execute();
  });
  return { grants: grantKeys.length };
}
