import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { rolesOf } from '../../../directory/users.ts';
import {
  beginWebauthnRegistration, finishWebauthnRegistration, getWebauthnSettings, listWebauthn, removeWebauthn, renameWebauthn,
  type WebauthnKind,
} from '../../../methods/webauthn/index.ts';
import { addProvenMethod, type IdpSession } from '../../../signin/session/sessions.ts';

/** Removing it would leave an administrator who must use phishing-resistant MFA without a way to do so. */
export class LastKeyError extends Error {
  override name = 'LastKeyError';
}

/**
 * The user's own security keys and passkeys, shared by the security page and
 * /api/me. Changes are made as the user and audited by the WebAuthn module;
 * registration ceremonies belong to the portal session.
 */
export function webauthnSelfService(ctx: AppContext) {
  const as = (userId: string, request: FastifyRequest) => ({ actor: `user:${userId}`, requestId: request.id, ip: request.ip });
  const owner = (session: IdpSession) => `session:${session.id}`;
  return {
    list: (userId: string) => listWebauthn(ctx, userId),
    begin: (session: IdpSession, kind: WebauthnKind) => beginWebauthnRegistration(ctx, { userId: session.userId, owner: owner(session), kind }),
    async finish(session: IdpSession, response: unknown, name: string, request: FastifyRequest) {
      const r = await finishWebauthnRegistration(ctx, { userId: session.userId, owner: owner(session), response, name, ...as(session.userId, request) });
      // The ceremony proved possession of the new key: the session now rests on it too.
      if (r.ok) await addProvenMethod(ctx.store.db, session, r.use);
      return r;
    },
    /** Throws MethodError('invalid_label') for an unusable name. */
    rename: (userId: string, id: string, name: string, request: FastifyRequest) => renameWebauthn(ctx, userId, id, name, as(userId, request)),
    /** Refuses to remove an administrator's last key while admins must use phishing-resistant MFA. */
    async remove(userId: string, id: string, request: FastifyRequest): Promise<boolean> {
      return removeWebauthn(ctx, userId, id, {
        ...as(userId, request),
        guard: async (trx, remaining) => {
          if (remaining.length > 0) return;
          const settings = await getWebauthnSettings(trx);
          if (settings.adminsRequirePhishingResistant && (await rolesOf(trx, userId)).length > 0) {
            throw new LastKeyError('this is your last security key or passkey, and administrators must use one: add another before removing it');
          }
        },
      });
    },
  };
}
