import { errors, interactionPolicy, type Check, type KoaContextWithOIDC } from 'oidc-provider';
import type { AppContext } from '../../app/context.ts';
import { askAccess, askServiceAccess } from '../../policy/store/access-gate.ts';
import { refusalReason, decisionForLog } from '../../policy/access/refusals.ts';
import type { AccessDecision, RefusalKind } from '../../policy/access/request.ts';
import { DEVICE_COOKIE, deviceIdFromToken, deviceTokenFrom } from '../../policy/store/device-binding.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { sessionCookieName } from '../../signin/session/cookie.ts';
import { loadSession } from '../../signin/session/sessions.ts';
import { reuseSession } from '../../signin/session/reuse.ts';
import { findSessionProof, recordSessionProof } from './session-proofs.ts';

/**
 * oidc-provider's grant points, each a caller of the one access decision
 * (src/policy/access/decide.ts) and nothing else:
 *   - reuse of a live session for any app: a login check; anything but "allow"
 *     sends the browser to the sign-in pages, which step up or refuse;
 *   - the refresh-token grant: refused with invalid_grant unless the decision allows now;
 *   - client credentials: refused unless the decision allows the service.
 */

/** What an app is told when a token request is refused (error_description). */
const TOKEN_REFUSED: Record<RefusalKind, string> = {
  account_disabled: 'the account is no longer active',
  service_account_interactive: 'this account cannot be used here',
  recovery_hold: 'the account is waiting for recovery by the helpdesk',
  policy_blocked: 'the organisation\'s access policy does not allow this',
  device_not_compliant: 'the access policy requires a managed, compliant device: sign in again from one',
  strength_not_met: 'the access policy now requires a stronger sign-in: sign in again',
  sign_in_frequency: 'the access policy requires signing in again',
  idle_limit: 'the access policy requires signing in again after a pause',
};

function refusalText(decision: AccessDecision): string {
  const o = decision.outcome;
  if (o.kind === 'block') return TOKEN_REFUSED[o.refusal];
  return o.kind === 'step_up' && o.reauthenticate ? TOKEN_REFUSED.sign_in_frequency : TOKEN_REFUSED.strength_not_met;
}

async function deviceOf(ctx: AppContext, kctx: KoaContextWithOIDC): Promise<string | null> {
  const token = deviceTokenFrom(kctx.headers, { [DEVICE_COOKIE]: kctx.cookies.get(DEVICE_COOKIE, { signed: false }) });
  return token ? deviceIdFromToken(ctx.store.db, token) : null;
}

/** The login check that runs the decision whenever oidc-provider would reuse its session. */
export function accessDecisionCheck(ctx: AppContext): Check {
  const { store, config } = ctx;
  const { NO_NEED_TO_PROMPT, REQUEST_PROMPT } = interactionPolicy.Check;
  return new interactionPolicy.Check('access_decision', 'the access decision asks for more, or refuses', async (kctx) => {
    const opSession = kctx.oidc.session;
    const accountId = opSession?.accountId;
    if (!opSession || !accountId) return NO_NEED_TO_PROMPT;
    // Tessera's own session is the source of truth for "signed in".
    const session = await loadSession(store.db, kctx.cookies.get(sessionCookieName(config), { signed: false }), config.session);
    if (!session || session.userId !== accountId) return REQUEST_PROMPT;
    const deviceId = await deviceOf(ctx, kctx);
    const proof = { userId: session.userId, methodUses: session.methodUses, authTime: session.authTime, deviceId };
    // The sign-in pages just finished this request, after asking the decision for this app: record what was proven.
    if (kctx.oidc.result?.login) {
      if (mayIssueRefreshToken(kctx)) await recordSessionProof(store.db, opSession.uid, proof);
      return NO_NEED_TO_PROMPT;
    }
    // The same reuse as the interaction page; a refusal is logged there, when the browser arrives.
    const reuse = await reuseSession(ctx, session, {
      clientId: kctx.oidc.client?.clientId ?? null, ip: kctx.ip, userAgent: kctx.get('user-agent') || null,
      requestedAcr: String(kctx.oidc.params?.acr_values ?? '').split(' ').filter(Boolean), deviceId,
    }, { log: 'allowed' });
    if (reuse.kind !== 'allow') return REQUEST_PROMPT;
    if (mayIssueRefreshToken(kctx)) await recordSessionProof(store.db, opSession.uid, proof);
    return NO_NEED_TO_PROMPT;
  });
}

/**
 * The proof is read only when a refresh token of the session is used, and
 * oidc-provider issues one only to an app allowed the grant that asked for
 * offline_access: other requests (most sign-ins) need not write it.
 */
function mayIssueRefreshToken(kctx: KoaContextWithOIDC): boolean {
  const scope = kctx.oidc.params?.scope;
  return !!kctx.oidc.client?.grantTypeAllowed('refresh_token') && typeof scope === 'string' && scope.split(' ').includes('offline_access');
}

interface RefreshTokenLike {
  kind?: string;
  accountId?: string;
  clientId?: string;
  sessionUid?: string;
  authTime?: number;
}

/**
 * The refresh-token grant asks the decision with the sign-in the token came
 * from (its session's proof) and the request's address, as it stands now.
 */
export async function assertRefreshAllowed(ctx: AppContext, kctx: KoaContextWithOIDC, token: RefreshTokenLike): Promise<void> {
  const db = ctx.store.db;
  if (!token.accountId) return;
  const found = await findSessionProof(db, token.sessionUid);
  const proof = found?.userId === token.accountId ? found : null;
  const { decision } = await askAccess(db, {
    via: 'refresh', userId: token.accountId, clientId: token.clientId ?? null, ip: kctx.ip,
    // A token from before proofs were kept proves nothing beyond its authentication time.
    methodsUsed: proof?.methodUses ?? [], authTime: proof?.authTime ?? (token.authTime ? new Date(token.authTime * 1000) : null),
    deviceId: proof?.deviceId ?? null,
  });
  if (decision.outcome.kind === 'allow') return;
  await writeSigninLog(db, {
    userId: token.accountId, clientId: token.clientId, ip: kctx.ip, userAgent: kctx.get('user-agent') || null,
    result: 'failure', reason: `refresh_${refusalReason(decision)}`, ...decisionForLog(decision),
  });
  throw new errors.InvalidGrant(`refresh refused: ${refusalText(decision)}`);
}

/** Client credentials: the app itself is the subject (client type service). */
export async function assertServiceAllowed(ctx: AppContext, kctx: KoaContextWithOIDC, clientId: string): Promise<void> {
  const decision = await askServiceAccess(ctx.store.db, { clientId, ip: kctx.ip });
  if (decision.outcome.kind === 'allow') return;
  await writeSigninLog(ctx.store.db, {
    clientId, ip: kctx.ip, userAgent: kctx.get('user-agent') || null,
    result: 'failure', reason: `service_${refusalReason(decision)}`, ...decisionForLog(decision),
  });
  throw new errors.UnauthorizedClient(`token refused: ${refusalText(decision)}`);
}
