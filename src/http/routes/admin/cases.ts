import { z } from 'zod';
import { cancelCase, caseFilterSchema, CASE_STEPS, getCase, listCases, openCase, openCaseSchema, recordStep, SCENARIOS, stepInputSchema } from '../../../recovery/cases/index.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';
import { tapOut } from './tap.ts';

const tag = 'recovery';
const time = z.iso.datetime({ offset: true });

const stepOut = z.object({
  seq: z.number().int(),
  step: z.string(),
  outcome: z.enum(['done', 'skipped', 'refused']),
  at: time,
  actor: z.string(),
  operatorId: z.string().nullable(),
  operator: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
});

export const caseOut = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  scenario: z.enum(SCENARIOS),
  title: z.string(),
  status: z.enum(['open', 'closed', 'cancelled']),
  nextStep: z.enum(CASE_STEPS).nullable(),
  remaining: z.array(z.enum(CASE_STEPS)),
  openedAt: time,
  openedBy: z.string(),
  notes: z.string().nullable(),
  tapId: z.string().nullable(),
  recoveredAt: time.nullable(),
  closedAt: time.nullable(),
  timeToRecoverSeconds: z.number().int().nullable(),
  cancelReason: z.string().nullable(),
  steps: z.array(stepOut),
});

const stepParams = idParams.extend({ step: z.enum(CASE_STEPS) });

export const caseOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/cases', operationId: 'openCase', tag, permission: 'recovery:write',
    summary: 'Open a helpdesk case: planned_phone_change, lost_phone or first_device',
    body: openCaseSchema,
    response: caseOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, body, by }) => openCase(ctx, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/cases', operationId: 'listCases', tag, permission: 'recovery:write',
    summary: 'List cases, newest first (steps are in getCase)',
    query: caseFilterSchema,
    response: listOf(caseOut), errors: [404],
    handler: async ({ ctx, query }) => ({ items: await listCases(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'GET', path: '/cases/:id', operationId: 'getCase', tag, permission: 'recovery:write',
    summary: 'Show a case with every recorded step',
    params: idParams,
    response: caseOut, errors: [404],
    handler: async ({ ctx, params }) => getCase(ctx.store.db, params.id),
  }),
  defineOperation({
    method: 'POST', path: '/cases/:id/steps/:step', operationId: 'recordCaseStep', tag, permission: 'recovery:write',
    summary: 'Record the case\'s next step (in order), or skip it with {skip: true, reason}; issue_tap answers with the pass, once',
    params: stepParams, body: stepInputSchema.optional(),
    response: z.object({ case: caseOut, pass: z.string().optional(), tap: tapOut.optional() }), errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => {
      const out = await recordStep(ctx, params.id, params.step, body ?? {}, by);
      return { case: out.case, ...(out.output ?? {}) } as { case: typeof out.case };
    },
  }),
  defineOperation({
    method: 'POST', path: '/cases/:id/cancel', operationId: 'cancelCase', tag, permission: 'recovery:write',
    summary: 'Abandon an open case with a reason (its pass is revoked)',
    params: idParams, body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
    response: caseOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => cancelCase(ctx, params.id, body.reason, by),
  }),
];
