import { z } from 'zod';
import { createApiToken, listApiTokens, newApiTokenSchema, revokeApiToken } from '../../../directory/api-tokens.ts';
import { badRequest } from '../../errors.ts';
import { defineOperation, type Operation } from './operation.ts';
import { apiTokenOut, idParams, issuedApiTokenOut, listOf } from './schemas.ts';

const tag = 'tokens';

export const tokenOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/tokens', operationId: 'listTokens', summary: 'List admin API tokens with owner, expiry, last use and state (never their secrets)', tag, permission: 'tokens:write',
    query: z.object({ includeRevoked: z.enum(['true', 'false']).default('false') }),
    response: listOf(apiTokenOut),
    handler: async ({ ctx, query }) => ({ items: await listApiTokens(ctx.store.db, { includeRevoked: query.includeRevoked === 'true' }) }),
  }),
  defineOperation({
    method: 'POST', path: '/tokens', operationId: 'createToken', summary: 'Create an admin API token; the response holds it, once', tag, permission: 'tokens:write',
    body: newApiTokenSchema,
    response: issuedApiTokenOut, status: 201, errors: [409],
    // A caller cannot mint a token more powerful than its own, nor one its owner could not hold.
    // A person calling owns what they create; a token calling is nobody, so it must name the person.
    handler: async ({ ctx, body, by, principal }) => {
      if (body.owner === undefined && !by.actor.startsWith('user:')) {
        throw badRequest("owner: name the person who answers for the token (their username); a token calling the API cannot own one");
      }
      return createApiToken(ctx.store, body, by, principal.permissions);
    },
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
