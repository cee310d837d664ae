import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadSession } from '../../../signin/session/sessions.ts';
import { reuseSession } from '../../../signin/session/reuse.ts';
import { isRole, permissionsOf, type Role } from '../../../directory/roles.ts';
import { readSessionCookie } from '../signin/cookies.ts';
import { deviceOf } from '../account/guard.ts';
import { forbidden, unauthorized } from '../../errors.ts';
import type { PersonPrincipal } from '../../admin-auth.ts';
import { CONSOLE_CLIENT_ID } from './client.ts';
import { readConsoleCookie } from './cookies.ts';
import { csrfMatches, endConsoleSession, findConsoleSession, touchConsoleSession } from './sessions.ts';
import { CONSOLE_TEXT } from './texts.ts';

/** Whether a request carries a console cookie at all (the admin API then authenticates it as a person). */
export function hasConsoleCookie(request: FastifyRequest): boolean {
  return readConsoleCookie(request, request.server.ctx.config) !== undefined;
}

/**
 * A console call as the person behind it. The console session must still rest
 * on the live Tessera session it was made with, and every call asks the access
 * decision again as the console app, with the console's last activity for a
 * policy's idle limit: a policy change, a sign-in frequency or an idle limit
 * takes effect on the very next call. Changes need the CSRF header.
 */
export async function authenticateConsole(
  request: FastifyRequest, reply: FastifyReply, options: { csrf: boolean },
): Promise<PersonPrincipal> {
  const { ctx } = request.server;
  const db = ctx.store.db;
  const session = await findConsoleSession(db, readConsoleCookie(request, ctx.config));
  if (!session) throw unauthorized(CONSOLE_TEXT.signInRequired);
  if (options.csrf && !csrfMatches(ctx.config, session.id, headerValue(request.headers['x-csrf-token']))) throw forbidden(CONSOLE_TEXT.csrf);
  const idp = await loadSession(db, readSessionCookie(request, ctx.config), ctx.config.session);
  if (!idp || idp.id !== session.idpSessionId) {
    await endConsoleSession(db, session.id);
    throw unauthorized(CONSOLE_TEXT.signInAgain);
  }
  const reuse = await reuseSession(ctx, idp, {
    clientId: CONSOLE_CLIENT_ID, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestedAcr: [],
    deviceId: await deviceOf(ctx, request), lastActiveAt: session.lastSeenAt,
  }, { log: 'refusals' });
  if (reuse.kind !== 'allow') {
    await endConsoleSession(db, session.id);
    if (reuse.kind === 'refused') throw forbidden(CONSOLE_TEXT.refused(reuse.message));
    throw unauthorized(CONSOLE_TEXT.signInAgain);
  }
  await touchConsoleSession(db, session);
  // The person as the decision just loaded them: their roles say what the console lets them do.
  const roles = (reuse.subject?.roles ?? []).filter(isRole) as Role[];
  return {
    kind: 'person', id: idp.userId, username: reuse.subject?.user.username ?? idp.userId, roles, permissions: [...permissionsOf(roles)],
    actor: `user:${idp.userId}`, consoleSessionId: session.id,
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
