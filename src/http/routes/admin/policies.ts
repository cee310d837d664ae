import { z } from 'zod';
import { namedLocationSchema, policyBundleSchema, policyDocumentSchema, POLICY_STATES } from '../../../policy/document.ts';
import { deletePolicy, getPolicy, listNamedLocations, listPolicies, loadPolicySet, savePolicy, setPolicyState } from '../../../policy/store/policies.ts';
import { deleteNamedLocation, exportBundle, importBundle, saveNamedLocation } from '../../../policy/store/bundle.ts';
import { runLockoutCheck } from '../../../policy/store/lockout-gate.ts';
import { loadPolicySettings, policySettingsPatchSchema, updatePolicySettings } from '../../../policy/store/settings.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

/**
 * Conditional-access policies: list, show, create/replace, change state,
 * delete, export and import (JSON documents with a published schema), named
 * locations, settings and the on-demand lockout check. Every change runs the
 * lockout analysis first; a change that would lock people out answers 409
 * with who and why, and goes through only with ?confirmLockout=<reason>
 * (never one that strands a break-glass account or every global admin).
 */
const tag = 'policies';
const time = z.iso.datetime({ offset: true });
const ref = z.object({ id: z.string().min(1).max(128).describe('Policy id or name') });
const confirm = z.object({ confirmLockout: z.string().min(3).max(500).optional().describe('Reason that confirms a change which locks some people out') });

export const policyOut = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(POLICY_STATES),
  origin: z.string(),
  version: z.number().int(),
  document: z.record(z.string(), z.unknown()),
  createdAt: time,
  updatedAt: time,
  updatedBy: z.string(),
});

export const lockoutOut = z.object({
  checkedUsers: z.number().int(),
  findings: z.array(z.object({
    kind: z.enum(['stranded', 'circular_enrolment', 'needs_device_outside_tessera']),
    userId: z.string(),
    username: z.string(),
    breakGlass: z.boolean(),
    globalAdmin: z.boolean(),
    apps: z.array(z.string()),
    policies: z.array(z.object({ policyId: z.string(), name: z.string() })),
    message: z.string(),
    fix: z.string().optional(),
  })),
  strandedBreakGlass: z.array(z.string()),
  allGlobalAdminsStranded: z.boolean(),
  strandedUsers: z.array(z.string()),
});

const changeOut = z.object({ policy: policyOut, lockout: lockoutOut });
const settingsOut = z.object({
  exceptionMaxDays: z.number().int(),
  enrolmentApps: z.array(z.string()),
  bootstrapMethods: z.array(z.string()),
  registrableMethods: z.array(z.string()),
});
const locationOut = z.record(z.string(), z.unknown());

export const policyOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/policies', operationId: 'listPolicies', summary: 'List conditional-access policies', tag, permission: 'policies:read',
    response: listOf(policyOut),
    handler: async ({ ctx }) => ({ items: await listPolicies(ctx.store.db) }),
  }),
  defineOperation({
    method: 'POST', path: '/policies', operationId: 'savePolicy', summary: 'Create a policy, or replace the one with the same id or name (lockout check first)', tag, permission: 'policies:write',
    query: confirm, body: policyDocumentSchema,
    response: changeOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, body, query, by }) => {
      const r = await savePolicy(ctx.store, body, by, { confirmLockout: query.confirmLockout });
      return { policy: r.value, lockout: r.lockout };
    },
  }),
  defineOperation({
    method: 'GET', path: '/policies/export', operationId: 'exportPolicies', summary: 'Export every named location and policy as one JSON document', tag, permission: 'policies:read',
    response: z.record(z.string(), z.unknown()),
    handler: async ({ ctx }) => exportBundle(ctx.store.db),
  }),
  defineOperation({
    method: 'POST', path: '/policies/import', operationId: 'importPolicies', summary: 'Import a bundle: validated against the schema and the lockout check before anything changes', tag, permission: 'policies:write',
    query: confirm, body: policyBundleSchema,
    response: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()), locations: z.array(z.string()), lockout: lockoutOut }),
    errors: [409],
    handler: async ({ ctx, body, query, by }) => {
      const r = await importBundle(ctx.store, body, by, { confirmLockout: query.confirmLockout });
      return { ...r.value, lockout: r.lockout };
    },
  }),
  defineOperation({
    method: 'POST', path: '/policies/lockout-check', operationId: 'lockoutCheck', summary: 'Is there a way in for everyone, with the policies as they are?', tag, permission: 'policies:read',
    response: lockoutOut,
    handler: async ({ ctx }) => ctx.store.serialized('tessera.policy.lockout-check', async (trx) => runLockoutCheck(trx, await loadPolicySet(trx))),
  }),
  defineOperation({
    method: 'GET', path: '/policies/settings', operationId: 'getPolicySettings', summary: 'Exception limit, enrolment apps, bootstrap and registrable methods', tag, permission: 'policies:read',
    response: settingsOut,
    handler: async ({ ctx }) => loadPolicySettings(ctx.store.db),
  }),
  defineOperation({
    method: 'PATCH', path: '/policies/settings', operationId: 'updatePolicySettings', summary: 'Change conditional-access settings', tag, permission: 'policies:write',
    body: policySettingsPatchSchema,
    response: settingsOut,
    handler: async ({ ctx, body, by }) => updatePolicySettings(ctx.store, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/policies/:id', operationId: 'getPolicy', summary: 'Show a policy', tag, permission: 'policies:read',
    params: ref, response: policyOut, errors: [404],
    handler: async ({ ctx, params }) => getPolicy(ctx.store.db, params.id),
  }),
  defineOperation({
    method: 'PUT', path: '/policies/:id/state', operationId: 'setPolicyState', summary: 'Enable, switch to report-only or disable a policy (lockout check first)', tag, permission: 'policies:write',
    params: ref, query: confirm, body: z.strictObject({ state: z.enum(POLICY_STATES) }),
    response: changeOut, errors: [404, 409],
    handler: async ({ ctx, params, query, body, by }) => {
      const r = await setPolicyState(ctx.store, params.id, body.state, by, { confirmLockout: query.confirmLockout });
      return { policy: r.value, lockout: r.lockout };
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/policies/:id', operationId: 'deletePolicy', summary: 'Delete a policy (and its exceptions)', tag, permission: 'policies:write',
    params: ref, errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await deletePolicy(ctx.store, params.id, by);
    },
  }),
  defineOperation({
    method: 'GET', path: '/named-locations', operationId: 'listNamedLocations', summary: 'List named locations (IP ranges, countries)', tag, permission: 'policies:read',
    response: listOf(locationOut),
    handler: async ({ ctx }) => ({ items: await listNamedLocations(ctx.store.db) }),
  }),
  defineOperation({
    method: 'PUT', path: '/named-locations', operationId: 'saveNamedLocation', summary: 'Create or replace a named location (lockout check first)', tag, permission: 'policies:write',
    query: confirm, body: namedLocationSchema,
    response: z.object({ location: locationOut, lockout: lockoutOut }), errors: [409],
    handler: async ({ ctx, body, query, by }) => {
      const r = await saveNamedLocation(ctx.store, body, by, { confirmLockout: query.confirmLockout });
      return { location: r.value, lockout: r.lockout };
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/named-locations/:name', operationId: 'deleteNamedLocation', summary: 'Delete a named location no policy uses', tag, permission: 'policies:write',
    params: z.object({ name: z.string().min(1).max(128) }), errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await deleteNamedLocation(ctx.store, params.name, by);
    },
  }),
];
