import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { createApiToken, getApiToken, listApiTokens, newApiTokenSchema, revokeApiToken } from '../../../directory/api-tokens.ts';
import type { ChangedBy } from '../../../directory/errors.ts';
import { resolveUser } from '../../../directory/users.ts';
import { badRequest, conflict } from '../../errors.ts';
import { defineOperation, type Operation } from './operation.ts';
import { apiTokenOut, idParams, issuedApiTokenOut, listOf } from './schemas.ts';

const tag = 'tokens';

/**
 * Who answers for a token made over the API: the person asking for it, or the
 * owner of the token asking. Nobody makes another person answer for a token;
 * only a token from before owners has nobody behind it, and must name one.
 */
async function ownerOverApi(ctx: AppContext, by: ChangedBy, named: string | undefined): Promise<string> {
  const [kind, id = ''] = by.actor.split(/:(.*)/s);
  const asking = kind === 'user' ? id : kind === 'token' ? (await getApiToken(ctx.store.db, id)).owner?.id : undefined;
  if (!asking) {
    if (named === undefined) throw badRequest('owner: name the person who answers for the token (their username); the token calling has no owner');
    return named;
  }
  if (named !== undefined && (await resolveUser(ctx.store.db, named).catch(() => undefined))?.id !== asking) {
    throw conflict('owner: a token made over the API belongs to the person asking for it (or the owner of the token asking); that person makes their own');
  }
  return asking;
}

export const tokenOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/tokens', operationId: 'listTokens', summary: 'List admin API tokens with owner, expiry, last use and state (never their secrets)', tag, permission: 'tokens:write',
    query: z.object({ includeRevoked: z.enum(['true', 'false']).default('false') }),
    response: listOf(apiTokenOut),
    handler: async ({ ctx, query }) => ({ items: await listApiTokens(ctx.store.db, { includeRevoked: query.includeRevoked === 'true' }) }),
  }),
  defineOperation({
    method: 'POST', path: '/tokens', operationId: 'createToken', summary: 'Create an admin API token owned by the person asking; the response holds it, once', tag, permission: 'tokens:write',
    body: newApiTokenSchema,
    response: issuedApiTokenOut, status: 201, errors: [409],
    // A caller cannot mint a token more powerful than its own, nor one its owner could not hold.
    handler: async ({ ctx, body, by, principal }) =>
      createApiToken(ctx.store, { ...body, owner: await ownerOverApi(ctx, by, body.owner) }, by, principal.permissions),
  }),
  defineOperation({
    method: 'DELETE', path: '/tokens/:id', operationId: 'revokeToken', summary: 'Revoke an admin API token', tag, permission: 'tokens:write',
    params: idParams,
    errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await revokeApiToken(ctx.store, params.id, by);
    },
  }),
];
