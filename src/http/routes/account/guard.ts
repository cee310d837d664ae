import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { loadSession, type IdpSession } from '../../../signin/session/sessions.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { reuseSession, type ReuseInput } from '../../../signin/session/reuse.ts';
import { deviceIdFromToken, deviceTokenFrom } from '../../../policy/store/device-binding.ts';
import { csrfToken, csrfValid, readSessionCookie } from '../signin/cookies.ts';
import { forbidden, unauthorized } from '../../errors.ts';

/**
 * The portal runs on the IdP session. Forms and JSON calls that change
 * something carry a CSRF token derived from the session cookie (form field
 * "csrf" or header "x-csrf-token").
 */
export interface PortalAuth {
  session: IdpSession;
  csrf: string;
}

/**
 * The portal is an app like any other: a live session reaches it only while
 * the access decision allows that (a session from another app, a policy added
 * since, a sign-in frequency passed). Otherwise the person is sent to sign in.
 */
export async function portalAuth(ctx: AppContext, request: FastifyRequest): Promise<PortalAuth | null> {
  const token = readSessionCookie(request, ctx.config);
  const session = await loadSession(ctx.store.db, token, ctx.config.session);
  if (!session || !token) return null;
  // Every page of the portal checks its session; those checks are not sign-ins of their own.
  const reuse = await reuseSession(ctx, session, portalReuse(request, await deviceOf(ctx, request)), { log: 'never' });
  return reuse.kind === 'allow' ? { session, csrf: csrfToken(token) } : null;
}

/** What the decision is asked when a session is reused for the portal. */
export function portalReuse(request: FastifyRequest, deviceId: string | null): ReuseInput {
  return { clientId: null, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestedAcr: [], deviceId };
}

export function deviceOf(ctx: AppContext, request: FastifyRequest): Promise<string | null> {
  return deviceIdFromToken(ctx.store.db, deviceTokenFrom(request.headers, request.cookies));
}

export function signinRedirect(reply: FastifyReply, returnTo: string, stepUp = false): FastifyReply {
  const q = new URLSearchParams({ return_to: returnTo, ...(stepUp ? { step_up: '1' } : {}) });
  return reply.redirect(`/signin?${q}`, 303);
}

/** For JSON routes: 401 without a session, 403 without a valid CSRF token on changes. */
export async function requirePortalSession(ctx: AppContext, request: FastifyRequest, change: boolean): Promise<PortalAuth> {
  const token = readSessionCookie(request, ctx.config);
  const auth = await portalAuth(ctx, request);
  if (!auth || !token) throw unauthorized('sign in first');
  if (change) {
    const given = request.headers['x-csrf-token'] ?? (request.body as Record<string, unknown> | undefined)?.csrf;
    if (!csrfValid(token, given)) throw forbidden('missing or invalid CSRF token');
  }
  return auth;
}

export function formCsrfValid(ctx: AppContext, request: FastifyRequest): boolean {
  const token = readSessionCookie(request, ctx.config);
  return csrfValid(token, (request.body as Record<string, unknown> | undefined)?.csrf);
}

export async function requireRecentAuth(ctx: AppContext, session: IdpSession): Promise<void> {
  if (!(await hasRecentAuth(ctx, session))) {
    throw forbidden('this change needs a fresh verification: sign in again with your second factor (GET /signin?step_up=1)');
  }
}
