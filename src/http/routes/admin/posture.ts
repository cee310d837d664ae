import { z } from 'zod';
import { APP_KINDS, setAppCategory } from '../../../monitor/posture/app-category.ts';
import { APP_CATEGORIES } from '../../../monitor/posture/categories.ts';
import { postureNow } from '../../../recovery/posture.ts';
import { defineOperation, type Operation } from './operation.ts';

const tag = 'posture';
const figure = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

const rowOut = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail']),
  figures: z.record(z.string(), figure).describe('The numbers and names behind the verdict'),
  fix: z.string().nullable().describe('What to do when the row fails; null when it passes'),
});

export const postureOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/posture', operationId: 'getPosture', tag, permission: 'audit:read',
    summary: 'The MFA posture checklist, computed now from this system: each row pass or fail, its figures and the fix',
    response: z.object({ items: z.array(rowOut) }),
    handler: async ({ ctx }) => ({ items: await postureNow(ctx.store.db) }),
  }),
  defineOperation({
    method: 'PUT', path: '/apps/:kind/:name/category', operationId: 'setAppCategory', tag, permission: 'clients:write',
    summary: 'Set an app\'s category (mail, cloud, vpn, critical, other): the posture checklist asks MFA of mail, cloud, VPN and critical apps',
    params: z.object({ kind: z.enum(APP_KINDS), name: z.string().min(1).max(128) }),
    body: z.strictObject({ category: z.enum(APP_CATEGORIES) }),
    response: z.object({ kind: z.enum(APP_KINDS), name: z.string(), category: z.enum(APP_CATEGORIES) }),
    errors: [404],
    handler: async ({ ctx, params, body, by }) => setAppCategory(ctx.store, params.kind, params.name, body.category, by),
  }),
];
