import { z } from 'zod';
import { MethodError } from '../../../methods/errors.ts';
import { getMethodPolicy, getMethodsPolicy, methodPolicySchema, POLICY_METHODS, setMethodPolicy } from '../../../methods/policy/index.ts';
import { getPushSettings, pushSettingsSchema } from '../../../methods/push/settings.ts';
import { updateMethodSettings } from '../../../methods/settings.ts';
import { HttpError } from '../../errors.ts';
import { liftPushSuspension, pushSuspendedUntil } from '../../../methods/push/defence.ts';
import { getUserRisk } from '../../../methods/push/risk.ts';
import { resolveUser } from '../../../directory/users.ts';
import { defineOperation, type Operation } from './operation.ts';

const tag = 'methods';
const policyOut = methodPolicySchema;
const methodParams = z.object({ method: z.enum(POLICY_METHODS) });
const policyPatch = z.strictObject({
  enabled: z.boolean().optional(),
  includeGroups: z.array(z.string().min(1).max(128)).max(100).optional(),
  excludeGroups: z.array(z.string().min(1).max(128)).max(100).optional(),
  allowAdmins: z.boolean().optional(),
});
const pushPatch = z.strictObject(Object.fromEntries(Object.entries(pushSettingsSchema.shape).map(([k, v]) => [k, v.unwrap().optional()])) as {
  [K in keyof typeof pushSettingsSchema.shape]: z.ZodOptional<ReturnType<(typeof pushSettingsSchema.shape)[K]['unwrap']>>;
});

async function answering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MethodError) throw new HttpError(400, 'invalid_request', err.message);
    throw err;
  }
}

/** The methods policy (enabled, groups, admins, per method) and the push limits; changes are audited. */
export const methodsPolicyOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/methods/policy', operationId: 'getMethodsPolicy', summary: 'Show the methods policy: per method enabled, include/exclude groups, allowed for admins', tag, permission: 'methods:read',
    response: z.record(z.string(), policyOut),
    handler: async ({ ctx }) => getMethodsPolicy(ctx.store.db),
  }),
  defineOperation({
    method: 'GET', path: '/methods/policy/:method', operationId: 'getMethodPolicy', summary: 'Show one method\'s policy', tag, permission: 'methods:read',
    params: methodParams, response: policyOut,
    handler: async ({ ctx, params }) => getMethodPolicy(ctx.store.db, params.method),
  }),
  defineOperation({
    method: 'PATCH', path: '/methods/policy/:method', operationId: 'updateMethodPolicy', summary: 'Change one method\'s policy (audited method.policy.update); a disabled method cannot be registered or used', tag, permission: 'methods:write',
    params: methodParams, body: policyPatch, response: policyOut,
    handler: async ({ ctx, params, body, by }) => answering(() => setMethodPolicy(ctx.store, params.method, body, { actor: by.actor, requestId: by.requestId })),
  }),
  defineOperation({
    method: 'GET', path: '/methods/push', operationId: 'getPushSettings', summary: 'Show the push settings (request limit, suspension after denials, request lifetime)', tag, permission: 'methods:read',
    response: pushSettingsSchema,
    handler: async ({ ctx }) => getPushSettings(ctx.store.db),
  }),
  defineOperation({
    method: 'PATCH', path: '/methods/push', operationId: 'updatePushSettings', summary: 'Change the push settings (audited method.settings.update)', tag, permission: 'methods:write',
    body: pushPatch, response: pushSettingsSchema,
    handler: async ({ ctx, body, by }) => answering(() => updateMethodSettings(ctx.store, 'push', pushSettingsSchema, body, { actor: by.actor, requestId: by.requestId })),
  }),
  defineOperation({
    method: 'GET', path: '/users/:id/push-state', operationId: 'getPushState', summary: 'A user\'s push suspension (push bombing defence) and reported risk', tag, permission: 'methods:read',
    params: z.object({ id: z.string().min(1).max(128) }),
    response: z.object({ suspendedUntil: z.string().nullable(), risk: z.object({ level: z.string(), reason: z.string(), updatedAt: z.string() }).nullable() }),
    errors: [404],
    handler: async ({ ctx, params }) => {
      const user = await resolveUser(ctx.store.db, params.id);
      return { suspendedUntil: await pushSuspendedUntil(ctx.store.db, user.id), risk: await getUserRisk(ctx.store.db, user.id) };
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/users/:id/push-suspension', operationId: 'liftPushSuspension', summary: 'Lift a user\'s push suspension after talking to them (audited method.push.unsuspend)', tag, permission: 'recovery:write',
    params: z.object({ id: z.string().min(1).max(128) }), errors: [404],
    handler: async ({ ctx, params, by }) => {
      const user = await resolveUser(ctx.store.db, params.id);
      if (!(await liftPushSuspension(ctx.store, user.id, by))) throw new HttpError(404, 'not_found', 'push is not suspended for this user');
    },
  }),
];
