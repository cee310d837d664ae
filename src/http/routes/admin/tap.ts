import { z } from 'zod';
import { approveTap, issueTap, issueTapSchema, listTaps, loadTapPolicy, revokeTap, setTapPolicy, tapPolicyPatchSchema } from '../../../recovery/tap/index.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';

const tag = 'recovery';
const time = z.iso.datetime({ offset: true });

export const tapOut = z.object({
  id: z.string(),
  userId: z.string(),
  state: z.enum(['pending_approval', 'not_yet_valid', 'active', 'expired', 'used', 'revoked', 'replaced']),
  status: z.string(),
  oneTime: z.boolean(),
  length: z.number().int(),
  startsAt: time,
  expiresAt: time,
  createdAt: time,
  createdBy: z.string(),
  issuedBy: z.string(),
  issuedByUsername: z.string().nullable().describe('The person who issued the pass (createdBy is the token or command line it came through)'),
  needsApproval: z.boolean(),
  approverId: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: time.nullable(),
  approvedByUsername: z.string().nullable(),
  useCount: z.number().int(),
  firstUsedAt: time.nullable(),
  lastUsedAt: time.nullable(),
  endedAt: time.nullable(),
  endReason: z.string().nullable(),
  caseId: z.string().nullable(),
});

const issuedOut = z.object({
  tap: tapOut,
  pass: z.string().describe('The Temporary Access Pass. Shown in this response only: deliver it by phone, in person or encrypted message, never by email.'),
});

const tapPolicyOut = z.object({
  defaultLifetimeMinutes: z.number().int(),
  minLifetimeMinutes: z.number().int(),
  maxLifetimeMinutes: z.number().int(),
  defaultLength: z.number().int(),
  allowMultiUse: z.boolean(),
  updatedAt: time.nullable(),
  updatedBy: z.string().nullable(),
});

export const tapOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/taps', operationId: 'createTap', tag, permission: 'recovery:write',
    summary: 'Issue a Temporary Access Pass (replaces the user\'s current one; pending a second privileged approver for privileged accounts)',
    // Passes for a helpdesk case are issued through the case's issue_tap step, which links them.
    body: issueTapSchema.omit({ caseId: true }),
    response: issuedOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, body, by }) => issueTap(ctx, body, by),
  }),
  defineOperation({
    method: 'POST', path: '/taps/:id/approve', operationId: 'approveTap', tag, permission: 'recovery:write',
    summary: 'Approve a pending pass (four-eyes): a privileged person other than its issuer and holder',
    params: idParams, body: z.strictObject({ approver: z.string().trim().min(1).max(128).describe('The approving person (id or username)') }),
    response: tapOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => approveTap(ctx.store, params.id, body.approver, by),
  }),
  defineOperation({
    method: 'GET', path: '/users/:id/taps', operationId: 'listUserTaps', tag, permission: 'recovery:write',
    summary: 'A user\'s passes, newest first (never the pass itself)',
    params: idParams,
    response: listOf(tapOut), errors: [404],
    handler: async ({ ctx, params }) => ({ items: await listTaps(ctx.store.db, params.id) }),
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/taps/revoke', operationId: 'revokeTap', tag, permission: 'recovery:write',
    summary: 'End a user\'s live pass at once',
    params: idParams, body: z.strictObject({ reason: z.string().trim().max(200).optional() }).optional(),
    response: z.object({ revoked: tapOut.nullable() }), errors: [404],
    handler: async ({ ctx, params, body, by }) => ({ revoked: await revokeTap(ctx.store, params.id, { ...by, reason: body?.reason }) }),
  }),
  defineOperation({
    method: 'GET', path: '/tap-policy', operationId: 'getTapPolicy', tag, permission: 'methods:read',
    summary: 'The bounds passes are issued within',
    response: tapPolicyOut,
    handler: async ({ ctx }) => loadTapPolicy(ctx.store.db),
  }),
  defineOperation({
    method: 'PATCH', path: '/tap-policy', operationId: 'updateTapPolicy', tag, permission: 'methods:write',
    summary: 'Change the TAP policy (lifetimes within 10 minutes to 30 days, length 8 to 48, multi-use allowed or not)',
    body: tapPolicyPatchSchema,
    response: tapPolicyOut,
    handler: async ({ ctx, body, by }) => setTapPolicy(ctx.store, body, by),
  }),
];
