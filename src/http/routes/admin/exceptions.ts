import { z } from 'zod';
import {
  approveException, exceptionFilterSchema, exceptionRequestSchema, listExceptions, rejectException, requestException, revokeException,
} from '../../../policy/store/exceptions.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';

const tag = 'policy exceptions';
const time = z.iso.datetime({ offset: true });

export const exceptionOut = z.object({
  id: z.string(),
  policyId: z.string(),
  policyName: z.string(),
  subjectKind: z.enum(['user', 'group']),
  subject: z.string(),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'revoked']),
  effective: z.enum(['pending', 'active', 'scheduled', 'expired', 'rejected', 'revoked']),
  requestedBy: z.string(),
  requestedAt: time,
  decidedBy: z.string().nullable(),
  decidedAt: time.nullable(),
  startsAt: time,
  endsAt: time,
});

/**
 * Exceptions: the only way to exclude a person or group from a policy. A
 * request names an end date (at most the configured maximum), a reason, and
 * waits for an approver other than the requester; it then expires by itself.
 */
export const exceptionOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/policy-exceptions', operationId: 'listPolicyExceptions', summary: 'List exceptions: active, expiring (within 7 days), pending or all', tag, permission: 'policies:read',
    query: exceptionFilterSchema, response: listOf(exceptionOut), errors: [404],
    handler: async ({ ctx, query }) => ({ items: await listExceptions(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/policy-exceptions', operationId: 'requestPolicyException', summary: 'Request an exception (another administrator approves it)', tag, permission: 'policies:write',
    body: exceptionRequestSchema, response: exceptionOut, status: 201, errors: [404],
    handler: async ({ ctx, body, by }) => requestException(ctx.store, body, by),
  }),
  ...(['approve', 'reject', 'revoke'] as const).map((verb) =>
    defineOperation({
      method: 'POST', path: `/policy-exceptions/:id/${verb}`, operationId: `${verb}PolicyException`,
      summary: verb === 'approve' ? 'Approve an exception (not your own request)' : verb === 'reject' ? 'Reject an exception request' : 'End an exception now',
      tag, permission: 'policies:write', params: idParams, response: exceptionOut, errors: [404, 409],
      handler: async ({ ctx, params, by }) =>
        (verb === 'approve' ? approveException : verb === 'reject' ? rejectException : revokeException)(ctx.store, params.id, by),
    }),
  ),
];
