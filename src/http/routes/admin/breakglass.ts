import { z } from 'zod';
import { breakGlassReport, breakGlassSettingsSchema, breakGlassTestSchema, loadBreakGlassSettings, recordBreakGlassTest, setBreakGlassSettings } from '../../../recovery/breakglass/index.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams } from './schemas.ts';

const tag = 'break-glass';
const time = z.iso.datetime({ offset: true });

const testOut = z.object({
  id: z.string(),
  at: time,
  actor: z.string(),
  result: z.enum(['pass', 'fail']),
  signinAt: time.nullable(),
  notes: z.string().nullable(),
});

const accountOut = z.object({
  userId: z.string(),
  username: z.string(),
  status: z.string(),
  credentials: z.array(z.object({
    type: z.string(), id: z.string(), label: z.string(), createdAt: time, lastUsedAt: time.nullable(), phishingResistant: z.boolean(),
  })),
  phishingResistantCount: z.number().int(),
  enoughCredentials: z.boolean(),
  lastTest: testOut.nullable(),
  testOverdue: z.boolean(),
  lastSigninAt: time.nullable(),
  problems: z.array(z.string()),
});

const settingsOut = z.object({ testIntervalDays: z.number().int(), updatedAt: time.nullable(), updatedBy: z.string().nullable() });

export const breakGlassOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/breakglass', operationId: 'breakGlassReport', tag, permission: 'users:read',
    summary: 'Every break-glass account: its credentials (at least two phishing-resistant needed), last test, overdue or not',
    response: z.object({ testIntervalDays: z.number().int(), accounts: z.array(accountOut), missingCredentials: z.array(z.string()), overdue: z.array(z.string()) }),
    handler: async ({ ctx }) => breakGlassReport(ctx.store.db),
  }),
  defineOperation({
    method: 'POST', path: '/breakglass/:id/tests', operationId: 'recordBreakGlassTest', tag, permission: 'policies:write',
    summary: 'Record a test of a break-glass account (passes only on its real sign-in in the last 24 hours)',
    params: idParams, body: breakGlassTestSchema.optional(),
    response: testOut.extend({ username: z.string() }), status: 201, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => recordBreakGlassTest(ctx.store, params.id, body ?? {}, by),
  }),
  defineOperation({
    method: 'GET', path: '/breakglass/settings', operationId: 'getBreakGlassSettings', tag, permission: 'policies:read',
    summary: 'How often break-glass accounts must be tested',
    response: settingsOut,
    handler: async ({ ctx }) => loadBreakGlassSettings(ctx.store.db),
  }),
  defineOperation({
    method: 'PUT', path: '/breakglass/settings', operationId: 'setBreakGlassSettings', tag, permission: 'policies:write',
    summary: 'Change the test interval (days)',
    body: breakGlassSettingsSchema,
    response: settingsOut,
    handler: async ({ ctx, body, by }) => setBreakGlassSettings(ctx.store, body, by),
  }),
];
