import { z } from 'zod';
import { MethodError } from '../../../methods/errors.ts';
import { getWebauthnSettings, SettingsRefusedError, setWebauthnSettings } from '../../../methods/webauthn/index.ts';
import { StrengthError } from '../../../policy/strengths.ts';
import {
  createStrength, deleteStrength, findStrength, listStrengths, StrengthConflictError, StrengthNotFoundError, updateStrength, viewOf,
} from '../../../policy/store/strength-catalog.ts';
import { HttpError } from '../../errors.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

const strengthOut = z.object({
  name: z.string(),
  displayName: z.string(),
  description: z.string(),
  acr: z.string(),
  builtin: z.boolean(),
  combinations: z.array(z.string()).describe('Allowed method combinations, e.g. "password+webauthn", "passkey"'),
  allowedAaguids: z.array(z.string()),
  warnings: z.array(z.string()),
});
const nameParams = z.object({ name: z.string().min(1).max(64) });
const combinations = z.array(z.string().min(1).max(128)).max(32);
const aaguids = z.array(z.string().max(64)).max(100);
const newStrength = z.strictObject({
  name: z.string().min(1).max(64),
  description: z.string().max(256).optional(),
  combinations: combinations.min(1),
  allowedAaguids: aaguids.optional(),
});
const strengthPatch = z.strictObject({ description: z.string().max(256).optional(), combinations: combinations.min(1).optional(), allowedAaguids: aaguids.optional() });

const webauthnSettingsOut = z.object({
  attestation: z.enum(['none', 'allowlist']),
  aaguids: z.array(z.string()),
  appliesTo: z.enum(['everyone', 'admins']),
  adminsRequirePhishingResistant: z.boolean(),
});
const webauthnSettingsPatch = z.strictObject({
  attestation: z.enum(['none', 'allowlist']).optional(),
  aaguids: z.array(z.string().max(64)).max(100).optional(),
  appliesTo: z.enum(['everyone', 'admins']).optional(),
  adminsRequirePhishingResistant: z.boolean().optional(),
});

/** Strength and settings errors as HTTP answers with their reason. */
async function answering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StrengthNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof StrengthConflictError || err instanceof SettingsRefusedError) throw new HttpError(409, 'conflict', err.message);
    if (err instanceof StrengthError || err instanceof MethodError) throw new HttpError(400, 'invalid_request', err.message);
    throw err;
  }
}

const tag = 'strengths';

/** Authentication strengths (built-in and custom) and the WebAuthn methods settings. */
export const strengthOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/strengths', operationId: 'listStrengths', summary: 'List authentication strengths, built-in and custom', tag, permission: 'policies:read',
    response: listOf(strengthOut),
    handler: async ({ ctx }) => ({ items: (await listStrengths(ctx.store.db)).map(viewOf) }),
  }),
  defineOperation({
    method: 'POST', path: '/strengths', operationId: 'createStrength', summary: 'Create a custom authentication strength (allowed method combinations)', tag, permission: 'policies:write',
    body: newStrength, response: strengthOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => answering(() => createStrength(ctx.store, body, by)),
  }),
  defineOperation({
    method: 'GET', path: '/strengths/:name', operationId: 'getStrength', summary: 'Show an authentication strength', tag, permission: 'policies:read',
    params: nameParams, response: strengthOut, errors: [404],
    handler: async ({ ctx, params }) => {
      const s = await findStrength(ctx.store.db, params.name);
      if (!s) throw new HttpError(404, 'not_found', `no strength named ${params.name}`);
      return viewOf(s);
    },
  }),
  defineOperation({
    method: 'PATCH', path: '/strengths/:name', operationId: 'updateStrength', summary: 'Change a custom authentication strength', tag, permission: 'policies:write',
    params: nameParams, body: strengthPatch, response: strengthOut, errors: [404],
    handler: async ({ ctx, params, body, by }) => answering(() => updateStrength(ctx.store, params.name, body, by)),
  }),
  defineOperation({
    method: 'DELETE', path: '/strengths/:name', operationId: 'deleteStrength', summary: 'Delete a custom authentication strength', tag, permission: 'policies:write',
    params: nameParams, errors: [404],
    handler: async ({ ctx, params, by }) => answering(() => deleteStrength(ctx.store, params.name, by)),
  }),
  defineOperation({
    method: 'GET', path: '/methods/webauthn', operationId: 'getWebauthnSettings', summary: 'Show the WebAuthn settings (attestation policy, admins need phishing-resistant MFA)', tag: 'methods', permission: 'methods:read',
    response: webauthnSettingsOut,
    handler: async ({ ctx }) => getWebauthnSettings(ctx.store.db),
  }),
  defineOperation({
    method: 'PATCH', path: '/methods/webauthn', operationId: 'updateWebauthnSettings', summary: 'Change the WebAuthn settings; refused (409) when it would strand every global admin', tag: 'methods', permission: 'methods:write',
    body: webauthnSettingsPatch, response: webauthnSettingsOut, errors: [409],
    handler: async ({ ctx, body, by }) => answering(() => setWebauthnSettings(ctx.store, body, { actor: by.actor, requestId: by.requestId })),
  }),
];
