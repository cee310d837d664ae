import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256, secretMatches } from '../../../app/opaque-token.ts';
import type { Config } from '../../../config/config.ts';
import { sessionCookieName } from '../../../signin/session/cookie.ts';

/**
 * Cookie names and flags. On https the session cookie is "__Host-" prefixed
 * (Secure, Path=/, no Domain: it cannot be set or read by a sibling subdomain).
 * SameSite=Lax lets an app's redirect back to us carry it while blocking
 * cross-site form posts.
 */
export function isHttps(config: Config): boolean {
  return config.issuer.startsWith('https:');
}

export { sessionCookieName };

/** Without maxAgeSeconds the cookie lasts until the browser closes (a "no persistent session" policy). */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string, maxAgeSeconds: number | undefined): void {
  reply.setCookie(sessionCookieName(config), token, {
    httpOnly: true,
    secure: isHttps(config),
    sameSite: 'lax',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(sessionCookieName(config), { path: '/', httpOnly: true, secure: isHttps(config), sameSite: 'lax' });
}

export function readSessionCookie(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[sessionCookieName(config)];
}

/** One cookie per transaction, so two tabs signing in at once do not trample each other. */
function txCookieName(key: string): string {
  return `tessera_tx_${sha256(key).slice(0, 16)}`;
}

export function setTransactionCookie(reply: FastifyReply, config: Config, key: string, secret: string): void {
  reply.setCookie(txCookieName(key), secret, {
    httpOnly: true,
    secure: isHttps(config),
    sameSite: 'lax',
    path: '/signin/',
    maxAge: 15 * 60,
  });
}

export function readTransactionCookie(request: FastifyRequest, key: string): string | undefined {
  return request.cookies[txCookieName(key)];
}

export function clearTransactionCookie(reply: FastifyReply, key: string): void {
  reply.clearCookie(txCookieName(key), { path: '/signin/' });
}

/**
 * Forms carry a token derived from the secret in an HttpOnly cookie; a page on
 * another site can neither read the cookie nor compute the token.
 */
export function csrfToken(cookieSecret: string): string {
  return sha256(`csrf:${cookieSecret}`);
}

export function csrfValid(cookieSecret: string | undefined, submitted: unknown): boolean {
  if (!cookieSecret || typeof submitted !== 'string' || !/^[0-9a-f]{64}$/.test(submitted)) return false;
  return secretMatches(`csrf:${cookieSecret}`, submitted);
}
