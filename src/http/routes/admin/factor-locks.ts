import { z } from 'zod';
import { unlockUserFactors } from '../../../directory/factor-unlock.ts';
import { METHOD_TYPES } from '../../../methods/method.ts';
import { defineOperation, type Operation } from './operation.ts';
import { factorLockOut, idParams } from './schemas.ts';

const tag = 'users';

export const factorLockOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/users/:id/unlock', operationId: 'unlockUserFactors', tag, permission: 'recovery:write',
    summary: 'Clear the failed attempts and lock of one factor of a user (method), or of all of them; audited per factor',
    params: idParams,
    body: z.strictObject({ method: z.enum(METHOD_TYPES).optional().describe('The factor to unlock; absent: every factor') }).optional(),
    response: z.object({
      unlocked: z.array(z.string()).describe('The factors cleared; empty when none had failures'),
      factorLocks: z.array(factorLockOut).describe('What is left afterwards'),
    }),
    errors: [404],
    handler: async ({ ctx, params, body, by }) => {
      const out = await unlockUserFactors(ctx.store, params.id, body?.method, by);
      return { unlocked: out.unlocked, factorLocks: out.factorLocks };
    },
  }),
];
