import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticateApiToken } from '../directory/api-tokens.ts';
import type { Permission, Role } from '../directory/roles.ts';
import { forbidden, unauthorized } from './errors.ts';
import { authenticateConsole, hasConsoleCookie } from './routes/console/authenticate.ts';

/**
 * Who is calling the admin API: an API token, or a person signed in to the
 * console (its session cookie, CSRF header on changes). `actor` is what goes
 * into audit entries for changes the caller makes.
 */
export interface TokenPrincipal {
  kind: 'token';
  id: string;
  role: Role;
  permissions: readonly Permission[];
  actor: string;
  /** The person who answers for the token (it acts as them in four-eyes steps); null for a token from before owners. */
  ownerId: string | null;
}
export interface PersonPrincipal {
  kind: 'person';
  /** The person's user id. */
  id: string;
  username: string;
  roles: readonly Role[];
  permissions: readonly Permission[];
  actor: string;
  consoleSessionId: string;
}
export type Principal = TokenPrincipal | PersonPrincipal;

/** Methods that change nothing: the console may call them without its CSRF header. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const BEARER = /^Bearer +(\S+) *$/i;

function challenge(reply: FastifyReply, error?: 'invalid_token' | 'insufficient_scope'): void {
  reply.header('www-authenticate', error ? `Bearer realm="tessera", error="${error}"` : 'Bearer realm="tessera"');
}

/** Authenticates the request's bearer token once; later calls reuse the result. */
export async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
  if (request.principal) return request.principal;
  const header = request.headers.authorization;
  if (!header && hasConsoleCookie(request)) {
    request.principal = await authenticateConsole(request, reply, { csrf: !SAFE_METHODS.has(request.method) });
    return request.principal;
  }
  if (!header) {
    challenge(reply);
    throw unauthorized('send an admin API token: Authorization: Bearer <token>');
  }
  const m = BEARER.exec(header);
  const identity = m ? await authenticateApiToken(request.server.ctx.store, m[1]!, { ip: request.ip }) : null;
  if (!identity) {
    challenge(reply, 'invalid_token');
    throw unauthorized('the API token is not valid (unknown, revoked, expired or malformed)');
  }
  request.principal = {
    kind: 'token',
    id: identity.id,
    role: identity.role,
    permissions: identity.permissions,
    actor: `token:${identity.id}`,
    ownerId: identity.ownerId,
  };
  return request.principal;
}

/**
 * A preHandler for routes that need a permission: 401 without a valid token,
 * 403 when the token's role lacks the permission. On success the caller is on
 * `request.principal`.
 */
export function requirePermission(permission: Permission): preHandlerAsyncHookHandler {
  return async function checkPermission(request, reply) {
    const principal = await authenticate(request, reply);
    if (!principal.permissions.includes(permission)) {
      challenge(reply, 'insufficient_scope');
      const holder = principal.kind === 'token' ? `the ${principal.role} role does` : 'your roles do';
      throw forbidden(`this needs the ${permission} permission, which ${holder} not have`);
    }
  };
}
