import { z } from 'zod';
import { clearKeySuspension, registeredMethods, removeUserMethod } from '../../../directory/user-methods.ts';
import { resolveUser } from '../../../directory/users.ts';
import { METHOD_TYPES } from '../../../methods/method.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf, registeredMethodOut } from './schemas.ts';

const tag = 'users';
const methodParams = idParams.extend({
  type: z.enum(METHOD_TYPES),
  methodId: z.string().min(1).max(128),
});

export const userMethodOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/users/:id/methods', operationId: 'listUserMethods', tag, permission: 'users:read',
    summary: 'A user\'s registered methods (kind, name, key model, added, last used, bound device), each with its id',
    params: idParams,
    response: listOf(registeredMethodOut), errors: [404],
    handler: async ({ ctx, params }) => ({ items: await registeredMethods(ctx.store.db, (await resolveUser(ctx.store.db, params.id)).id) }),
  }),
  defineOperation({
    method: 'DELETE', path: '/users/:id/methods/:type/:methodId', operationId: 'removeUserMethod', tag, permission: 'recovery:write',
    summary: 'Remove one of a user\'s methods (audited); warns when it was their last phishing-resistant one or leaves them no way in',
    params: methodParams,
    response: z.object({
      removed: registeredMethodOut,
      warnings: z.array(z.string()).describe('What the lockout analysis says about the person without this method'),
    }),
    errors: [404],
    handler: async ({ ctx, params, by }) => removeUserMethod(ctx, params.id, { type: params.type, id: params.methodId }, by),
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/methods/webauthn/:methodId/clear-suspension', operationId: 'clearKeySuspension', tag, permission: 'recovery:write',
    summary: 'Accept again a security key or passkey suspended after a clone signal, once the helpdesk has looked into it (audited)',
    params: idParams.extend({ methodId: z.string().min(1).max(128) }),
    body: z.strictObject({ note: z.string().trim().max(500).optional().describe('What the helpdesk found') }).optional(),
    response: registeredMethodOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => clearKeySuspension(ctx.store, params.id, params.methodId, { ...by, note: body?.note }),
  }),
];
