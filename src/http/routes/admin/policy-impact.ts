import { z } from 'zod';
import { defineOperation, type Operation } from './operation.ts';
import { getPolicy } from '../../../policy/store/policies.ts';
import { reportOnlyImpact } from '../../../monitor/policy-impact.ts';

export const policyImpactOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/policies/:id/impact', operationId: 'getPolicyImpact', tag: 'policies', permission: 'policies:read',
    summary: 'What the policy would have done in report-only over the last days, from the sign-in log (sign-ins it would have blocked or asked more of)',
    params: z.object({ id: z.string().min(1).max(128) }),
    query: z.object({ days: z.coerce.number().int().min(1).max(90).default(7) }),
    response: z.object({
      policyId: z.string(), since: z.string(), days: z.number().int(),
      applied: z.number().int(), wouldBlock: z.number().int(), wouldChallenge: z.number().int(), people: z.number().int(),
    }),
    errors: [404],
    handler: async ({ ctx, params, query }) => {
      const policy = await getPolicy(ctx.store.db, params.id);
      const since = new Date(Date.now() - query.days * 86_400_000);
      return { ...(await reportOnlyImpact(ctx.store.db, policy.id, since)), days: query.days };
    },
  }),
];
