import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sha256 } from '../../../app/opaque-token.ts';
import { loadSession, revokeSession } from '../../../signin/session/sessions.ts';
import { isHttps, readSessionCookie } from '../signin/cookies.ts';
import { html, page } from '../../html.ts';
import { CONSOLE_CLIENT_ID, consoleRedirectUri } from './client.ts';
import { createConsoleSession, endConsoleSession } from './sessions.ts';
import { clearConsoleCookie, setConsoleCookie } from './cookies.ts';
import { authenticateConsole } from './authenticate.ts';
import { CONSOLE_TEXT } from './texts.ts';

/**
 * The console is an OpenID Connect client of this server: /admin/login sends
 * the browser through the ordinary sign-in pages (authorization code + PKCE),
 * so the console's people reach it through the same engine, policies and
 * decision as every other app. The code is redeemed in-process (inject), which
 * works behind any proxy and never leaves the server; what comes back is
 * checked (state bound to this browser, nonce, audience, the person whose
 * Tessera session it is) before a console session is made.
 */
const LOGIN_TTL_MS = 10 * 60_000;
const LOGIN_COOKIE = 'tessera_console_login';

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Only a console path may be returned to: never another origin, never a protocol-relative URL. */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/admin(\/[A-Za-z0-9/_-]*)?$/.test(value) ? value : '/admin';
}

async function begin(request: FastifyRequest<{ Querystring: { return?: string } }>, reply: FastifyReply) {
  const { ctx } = request.server;
  const state = b64url(randomBytes(32));
  const verifier = b64url(randomBytes(32));
  const nonce = b64url(randomBytes(32));
  const now = new Date();
  await ctx.store.db.deleteFrom('console_logins').where('created_at', '<', new Date(now.getTime() - LOGIN_TTL_MS).toISOString()).execute();
  await ctx.store.db.insertInto('console_logins')
    .values({ state_hash: sha256(state), verifier, nonce, return_to: safeReturn(request.query.return), created_at: now.toISOString() })
    .execute();
  reply.setCookie(LOGIN_COOKIE, state, { httpOnly: true, secure: isHttps(ctx.config), sameSite: 'lax', path: '/admin/', maxAge: LOGIN_TTL_MS / 1000 });
  const url = new URL('/oidc/auth', ctx.config.issuer);
  url.search = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: consoleRedirectUri(ctx.config),
    state, nonce, code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
    // A new console session is always a fresh sign-in: a live Tessera session from another app (or one that
    // outlived the console's idle limit) never opens the console by itself.
    prompt: 'login',
  }).toString();
  return reply.redirect(url.pathname + url.search);
}

function failed(reply: FastifyReply, message: string) {
  return reply.status(400).type('text/html; charset=utf-8').send(page({
    title: CONSOLE_TEXT.signinFailedTitle,
    body: html`<h1>${CONSOLE_TEXT.signinFailedTitle}</h1><p>${message}</p><p><a href="/admin/login">${CONSOLE_TEXT.tryAgain}</a></p>`,
  }));
}

/** The claims of an ID token the provider just handed us in-process (not through the browser). */
function idTokenClaims(token: unknown): Record<string, unknown> | null {
  if (typeof token !== 'string') return null;
  const part = token.split('.')[1];
  try {
    return part ? (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type CallbackQuery = { code?: string; state?: string; error?: string; error_description?: string };

async function redeem(request: FastifyRequest, code: string, verifier: string): Promise<Record<string, unknown> | null> {
  const { ctx } = request.server;
  const res = await request.server.inject({
    method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: consoleRedirectUri(ctx.config), client_id: CONSOLE_CLIENT_ID, code_verifier: verifier,
    }).toString(),
  });
  if (res.statusCode !== 200) return null;
  return idTokenClaims((res.json() as { id_token?: unknown }).id_token);
}

async function callback(request: FastifyRequest<{ Querystring: CallbackQuery }>, reply: FastifyReply) {
  const { ctx } = request.server;
  const q = request.query;
  const cookieState = request.cookies[LOGIN_COOKIE];
  reply.clearCookie(LOGIN_COOKIE, { path: '/admin/' });
  if (q.error) return failed(reply, q.error === 'access_denied' && q.error_description ? q.error_description : CONSOLE_TEXT.signinNotFinished);
  if (!q.code || !q.state || !cookieState || !sameSecret(q.state, cookieState)) return failed(reply, CONSOLE_TEXT.signinExpired);
  const login = await ctx.store.db.deleteFrom('console_logins').where('state_hash', '=', sha256(q.state)).returningAll().executeTakeFirst();
  if (!login || Date.now() - new Date(login.created_at).getTime() > LOGIN_TTL_MS) return failed(reply, CONSOLE_TEXT.signinExpired);
  const claims = await redeem(request, q.code, login.verifier);
  if (!claims || claims.nonce !== login.nonce || claims.aud !== CONSOLE_CLIENT_ID || typeof claims.sub !== 'string') {
    return failed(reply, CONSOLE_TEXT.signinNotFinished);
  }
  const idp = await loadSession(ctx.store.db, readSessionCookie(request, ctx.config), ctx.config.session);
  if (!idp || idp.userId !== claims.sub) return failed(reply, CONSOLE_TEXT.signinNotFinished);
  const { token } = await createConsoleSession(ctx.store.db, { userId: idp.userId, idpSessionId: idp.id, ip: request.ip });
  setConsoleCookie(reply, ctx.config, token);
  return reply.redirect(login.return_to);
}

/** Signing out of the console ends the Tessera session under it too: an admin leaving a shared computer is gone. */
async function logout(request: FastifyRequest, reply: FastifyReply) {
  const { ctx } = request.server;
  const principal = await authenticateConsole(request, reply, { csrf: true });
  await endConsoleSession(ctx.store.db, principal.consoleSessionId);
  const idp = await loadSession(ctx.store.db, readSessionCookie(request, ctx.config), ctx.config.session);
  if (idp) await revokeSession(ctx.store.db, idp.id);
  clearConsoleCookie(reply, ctx.config);
  return reply.send({ signedOut: true });
}

export async function consoleLoginRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/login', begin);
  app.get('/admin/callback', callback);
  app.post('/admin/logout', logout);
}
