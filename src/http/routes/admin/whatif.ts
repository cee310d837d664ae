import { z } from 'zod';
import { whatIf, whatIfSchema } from '../../../policy/store/whatif.ts';
import { defineOperation, type Operation } from './operation.ts';

const result = z.object({
  applies: z.boolean(),
  policyId: z.string(),
  name: z.string(),
  mode: z.enum(['enforced', 'reportOnly', 'disabled']),
  reason: z.string(),
  detail: z.string().optional(),
  effect: z.enum(['block', 'satisfied', 'unsatisfied']).optional(),
  missing: z.object({ strength: z.string().optional(), compliantDevice: z.boolean().optional() }).optional(),
});

export const whatIfOut = z.object({
  facts: z.record(z.string(), z.unknown()),
  decision: z.object({
    outcome: z.enum(['allow', 'challenge', 'block']),
    blockReason: z.enum(['policy', 'compliant_device']).nullable(),
    blockedBy: z.object({ policyId: z.string(), name: z.string() }).nullable(),
    requiredStrengths: z.array(z.string()),
    missingStrengths: z.array(z.string()),
    session: z.object({ signInFrequencyHours: z.number().nullable(), persistent: z.boolean() }),
    policies: z.array(result),
  }),
  reportOnly: z.array(z.object({
    policyId: z.string(),
    name: z.string(),
    wouldBe: z.enum(['block', 'satisfied', 'unsatisfied']),
    missing: z.object({ strength: z.string().optional(), compliantDevice: z.boolean().optional() }).optional(),
  })),
});

/** What-if: the decision for a hypothetical sign-in, with every policy's reason. */
export const whatIfOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/policies/whatif', operationId: 'policyWhatIf', summary: 'The decision and each policy\'s reason for a given user, app, IP, device, client type and risk', tag: 'policies', permission: 'policies:read',
    body: whatIfSchema, response: whatIfOut, errors: [404],
    handler: async ({ ctx, body }) => whatIf(ctx.store.db, body),
  }),
];
