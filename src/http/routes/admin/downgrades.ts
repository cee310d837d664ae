import { z } from 'zod';
import {
  downgradeChangeSchema, downgradeFilterSchema, downgradeRequestSchema, getDowngrade, listDowngrades, previewDowngrade, rejectDowngrade, requestDowngrade,
} from '../../../policy/store/downgrades.ts';
import { approveDowngradeWithAlert } from '../../../monitor/policy-downgrades.ts';
import { LEVELS } from '../../../policy/downgrade.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';

/**
 * Downgrades: a policy change that lowers what anyone must reach answers 409
 * on the ordinary routes; it is requested here with a reason, shows who loses
 * what, and takes effect when a second administrator approves it (with an alert).
 */
const tag = 'policy downgrades';
const time = z.iso.datetime({ offset: true });

export const downgradeReportOut = z.object({
  checkedUsers: z.number().int(),
  losses: z.array(z.object({
    userId: z.string(),
    username: z.string(),
    app: z.string(),
    before: z.enum(LEVELS),
    after: z.enum(LEVELS),
    onCompliantDevice: z.boolean(),
    message: z.string(),
  })),
  people: z.array(z.string()),
});

const downgradeOut = z.object({
  id: z.string(),
  change: z.record(z.string(), z.unknown()),
  confirmLockout: z.string().nullable(),
  summary: z.string(),
  report: downgradeReportOut,
  reason: z.string(),
  status: z.enum(['pending', 'applied', 'rejected', 'expired']),
  requestedBy: z.string(),
  requestedAt: time,
  decidedBy: z.string().nullable(),
  decidedAt: time.nullable(),
});

export const downgradeOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/policy-downgrades', operationId: 'listPolicyDowngrades', summary: 'Downgrade requests: pending (the default) or all', tag, permission: 'policies:read',
    query: downgradeFilterSchema, response: listOf(downgradeOut),
    handler: async ({ ctx, query }) => ({ items: await listDowngrades(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/policy-downgrades/preview', operationId: 'previewPolicyDowngrade', tag, permission: 'policies:write',
    summary: 'Who would lose what with this change (nothing is changed)',
    body: z.strictObject({ change: downgradeChangeSchema, confirmLockout: z.string().trim().min(3).max(500).optional() }),
    response: downgradeReportOut, errors: [404, 409],
    handler: async ({ ctx, body, by }) => previewDowngrade(ctx.store, body.change, by, body.confirmLockout),
  }),
  defineOperation({
    method: 'POST', path: '/policy-downgrades', operationId: 'requestPolicyDowngrade', tag, permission: 'policies:write',
    summary: 'Request a change that lowers what someone must reach; another administrator approves it',
    body: downgradeRequestSchema, response: downgradeOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, body, by }) => requestDowngrade(ctx.store, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/policy-downgrades/:id', operationId: 'getPolicyDowngrade', summary: 'Show a downgrade request', tag, permission: 'policies:read',
    params: idParams, response: downgradeOut, errors: [404],
    handler: async ({ ctx, params }) => getDowngrade(ctx.store.db, params.id),
  }),
  defineOperation({
    method: 'POST', path: '/policy-downgrades/:id/approve', operationId: 'approvePolicyDowngrade', tag, permission: 'policies:write',
    summary: 'Approve a downgrade (not your own request): it takes effect now and raises an alert',
    params: idParams, response: downgradeOut, errors: [404, 409],
    handler: async ({ ctx, params, by }) => approveDowngradeWithAlert(ctx.store, params.id, by),
  }),
  defineOperation({
    method: 'POST', path: '/policy-downgrades/:id/reject', operationId: 'rejectPolicyDowngrade', tag, permission: 'policies:write',
    summary: 'Turn a downgrade request down', params: idParams, response: downgradeOut, errors: [404, 409],
    handler: async ({ ctx, params, by }) => rejectDowngrade(ctx.store, params.id, by),
  }),
];
