import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { findUserById } from '../../../directory/users.ts';
import { loadSession, revokeSession, type IdpSession } from '../../../signin/session/sessions.ts';
import { endOidcBrowserSession, OP_SESSION_COOKIE } from '../../../protocols/saml/app-sessions.ts';
import type { PublishedKeys } from '../../../protocols/saml/idp.ts';
import { nameIdSecret } from '../../../protocols/saml/keys.ts';
import { acceptLogoutRequest, logoutResponseUrl, sessionMatches, type AcceptedLogout, type LogoutRequestIn } from '../../../protocols/saml/logout.ts';
import { SamlRequestError } from '../../../protocols/saml/requests.ts';
import { samlSubject } from '../../../protocols/saml/subject.ts';
import { clearSessionCookie, readSessionCookie } from '../signin/cookies.ts';
import { samlProblem } from './pages.ts';

/**
 * /saml/slo: an SP's LogoutRequest (Redirect binding). When the browser's
 * Tessera session is the one the SP's session came from, it ends — and with it
 * the OIDC apps' sessions in this browser, as RP-initiated logout does — then
 * the browser goes back to the SP with a signed LogoutResponse. A session that
 * is not the SP's (another person, or one begun later) is left alone; the SP
 * still hears Success, since its own session is over.
 */
export async function singleLogout(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, input: LogoutRequestIn, keys: PublishedKeys): Promise<FastifyReply> {
  const db = ctx.store.db;
  let logout: AcceptedLogout;
  try {
    logout = await acceptLogoutRequest(db, ctx.config.issuer, keys, input);
  } catch (err) {
    if (err instanceof SamlRequestError) return samlProblem(reply, 400, 'This sign-out request cannot be used', `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`);
    throw err;
  }
  const session = await loadSession(db, readSessionCookie(request, ctx.config), ctx.config.session);
  if (session && sessionMatches(logout, session, await nameIdOf(ctx, session, logout))) {
    await revokeSession(db, session.id);
    const ended = await endOidcBrowserSession(db, request.cookies[OP_SESSION_COOKIE], session.userId);
    clearSessionCookie(reply, ctx.config);
    for (const name of [OP_SESSION_COOKIE, `${OP_SESSION_COOKIE}.sig`]) reply.clearCookie(name, { path: '/' });
    request.log.info({ sp: logout.sp.name, app_grants_ended: ended.grants }, 'SAML single logout ended the session');
  }
  reply.header('cache-control', 'no-store');
  return reply.redirect(logoutResponseUrl(ctx.config.issuer, keys, logout), 303);
}

/** The NameID this SP knows the session's person by, when the request names no SessionIndex. */
async function nameIdOf(ctx: AppContext, session: IdpSession, logout: AcceptedLogout): Promise<string | null> {
  if (logout.sessionIndexes.length) return null;
  const user = await findUserById(ctx.store.db, session.userId);
  if (!user) return null;
  try {
    return (await samlSubject(ctx.store.db, user, logout.sp.nameIdFormat, logout.sp.entityId, await nameIdSecret(ctx.store.db, ctx.secrets))).nameId;
  } catch {
    return null;
  }
}
