import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../config/config.ts';
import { isHttps } from '../signin/cookies.ts';

/**
 * The console cookie. SameSite=Strict: no other site can make a browser send
 * it, on top of the CSRF header every change needs. On https it is "__Host-"
 * prefixed (Secure, Path=/, no Domain). It lasts until the browser closes; the
 * access decision (sign-in frequency, idle limit) says how long it is good for.
 */
function name(config: Config): string {
  return isHttps(config) ? '__Host-tessera_console' : 'tessera_console';
}

export function setConsoleCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(name(config), token, { httpOnly: true, secure: isHttps(config), sameSite: 'strict', path: '/' });
}

export function clearConsoleCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(name(config), { httpOnly: true, secure: isHttps(config), sameSite: 'strict', path: '/' });
}

export function readConsoleCookie(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies?.[name(config)];
}
