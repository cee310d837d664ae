import { z } from 'zod';
import {
  addStage, applyTemplate, getStage, listStages, removeStage, setStageEnforcement, stageCoverage, stageInputSchema, templateSchema,
} from '../../../policy/store/rollout.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

const tag = 'roll-out';
const time = z.iso.datetime({ offset: true });
const confirm = z.object({ confirmLockout: z.string().min(3).max(500).optional() });
const stageRef = z.object({ stage: z.string().min(1).max(128).describe('Stage id or name') });

const stageOut = z.object({
  id: z.string(), position: z.number().int(), name: z.string(), groups: z.array(z.string()), roles: z.array(z.string()),
  strength: z.string(), preferredMethod: z.string(), snoozeLimit: z.number().int(), campaignFrom: time, enforceAt: time, policyId: z.string(),
});
const coverageOut = stageOut.extend({
  total: z.number().int(), registered: z.number().int(), byStrength: z.record(z.string(), z.number().int()),
  byMethod: z.record(z.string(), z.number().int()), enforced: z.boolean(),
});

/** Staged roll-out: stages in order, their enforcement dates and coverage. */
export const rolloutOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/rollout', operationId: 'rolloutStatus', summary: 'Roll-out stages with coverage (registered / total, by method and strength)', tag, permission: 'policies:read',
    response: listOf(coverageOut),
    handler: async ({ ctx }) => {
      const items = [];
      for (const s of await listStages(ctx.store.db)) items.push(await stageCoverage(ctx.store.db, s));
      return { items };
    },
  }),
  defineOperation({
    method: 'POST', path: '/rollout/stages', operationId: 'addRolloutStage', summary: 'Add a stage at the end (its MFA policy reports only until the enforcement date)', tag, permission: 'policies:write',
    query: confirm, body: stageInputSchema, response: stageOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, body, query, by }) => addStage(ctx.store, body, by, { confirmLockout: query.confirmLockout }),
  }),
  defineOperation({
    method: 'POST', path: '/rollout/template', operationId: 'applyRolloutTemplate', summary: 'Create the default stages: admins, pilot group, departments', tag, permission: 'policies:write',
    query: confirm, body: templateSchema, response: listOf(stageOut), status: 201, errors: [404, 409],
    handler: async ({ ctx, body, query, by }) => ({ items: await applyTemplate(ctx.store, body, by, { confirmLockout: query.confirmLockout }) }),
  }),
  defineOperation({
    method: 'GET', path: '/rollout/stages/:stage', operationId: 'getRolloutStage', summary: 'One stage with its coverage', tag, permission: 'policies:read',
    params: stageRef, response: coverageOut, errors: [404],
    handler: async ({ ctx, params }) => stageCoverage(ctx.store.db, await getStage(ctx.store.db, params.stage)),
  }),
  defineOperation({
    method: 'PUT', path: '/rollout/stages/:stage/enforce-at', operationId: 'setRolloutEnforcement', summary: 'Move a stage\'s enforcement date (lockout check first)', tag, permission: 'policies:write',
    params: stageRef, query: confirm, body: z.strictObject({ enforceAt: time }), response: stageOut, errors: [404, 409],
    handler: async ({ ctx, params, body, query, by }) => setStageEnforcement(ctx.store, params.stage, body.enforceAt, by, { confirmLockout: query.confirmLockout }),
  }),
  defineOperation({
    method: 'DELETE', path: '/rollout/stages/:stage', operationId: 'removeRolloutStage', tag, permission: 'policies:write',
    summary: 'Remove a stage and its policy (an enforced stage is a downgrade: 409, request it at /policy-downgrades)',
    params: stageRef, errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await removeStage(ctx.store, params.stage, by);
    },
  }),
];
