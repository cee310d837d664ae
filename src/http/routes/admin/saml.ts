import { z } from 'zod';
import {
  addServiceProvider, getServiceProvider, listServiceProviders, NAMEID_FORMATS, newServiceProviderSchema, removeServiceProvider,
} from '../../../protocols/saml/service-providers.ts';
import { APP_CATEGORIES } from '../../../monitor/posture/categories.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

/** SAML service providers: the admin API twin of `tessera saml sp …`. Changes are audited under the caller. */
const tag = 'saml';
const refParams = z.object({ ref: z.string().min(1).max(128) });
const spOut = z.object({
  id: z.string(),
  name: z.string(),
  entityId: z.string(),
  nameIdFormat: z.enum(NAMEID_FORMATS),
  attributes: z.record(z.string(), z.string()),
  category: z.enum(APP_CATEGORIES),
  acs: z.array(z.object({ binding: z.string(), location: z.string() })),
  signsRequests: z.boolean(),
  hasSigningCertificate: z.boolean(),
  encryptsAssertions: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const samlOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/saml/service-providers', operationId: 'listSamlServiceProviders', summary: 'List SAML service providers', tag, permission: 'clients:read',
    response: listOf(spOut),
    handler: async ({ ctx }) => ({ items: await listServiceProviders(ctx.store.db) }),
  }),
  defineOperation({
    method: 'POST', path: '/saml/service-providers', operationId: 'addSamlServiceProvider',
    summary: 'Register a SAML service provider from its metadata (XML in "metadata")', tag, permission: 'clients:write',
    body: newServiceProviderSchema,
    response: spOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => addServiceProvider(ctx.store, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/saml/service-providers/:ref', operationId: 'getSamlServiceProvider', summary: 'One SAML service provider, by name or id', tag, permission: 'clients:read',
    params: refParams,
    response: spOut, errors: [404],
    handler: async ({ ctx, params }) => getServiceProvider(ctx.store.db, params.ref),
  }),
  defineOperation({
    method: 'DELETE', path: '/saml/service-providers/:ref', operationId: 'removeSamlServiceProvider', summary: 'Remove a SAML service provider', tag, permission: 'clients:write',
    params: refParams,
    errors: [404],
    handler: async ({ ctx, params, by }) => {
      await removeServiceProvider(ctx.store, params.ref, by);
    },
  }),
];
