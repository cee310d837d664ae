import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_CATEGORIES } from '../../monitor/posture/categories.ts';
import {
  ClientError,
  createClient,
  deleteClient,
  findClient,
  listClients,
  newClientSchema,
} from '../../protocols/oidc/clients.ts';
import { validateClientMetadata } from '../../protocols/oidc/client-validation.ts';
import { HttpError, notFound } from '../errors.ts';
import { defineOperation, registerOperations, type Operation } from './admin/operation.ts';
import { idParams, listOf } from './admin/schemas.ts';

/**
 * The admin API for OpenID Connect apps (clients): list, show, create (the
 * response holds the secret, once), delete. Registered under /api/admin.
 */
const tag = 'clients';
const time = z.iso.datetime({ offset: true });

export const clientOut = z.object({
  clientId: z.string(),
  name: z.string().nullable(),
  public: z.boolean().describe('A public client (browser or native app) has no secret and must use PKCE'),
  tokenEndpointAuthMethod: z.enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  jwksUri: z.string().nullable(),
  jwksKeyIds: z.array(z.string()).describe('Key ids of the public keys registered for private_key_jwt'),
  category: z.enum(APP_CATEGORIES).describe('mail, cloud, vpn, critical or other: what the posture checklist counts it as'),
  createdAt: time,
  createdBy: z.string(),
  updatedAt: time,
});

export const createdClientOut = z.object({
  client: clientOut,
  clientSecret: z.string().optional().describe('Shown in this response only; Tessera keeps just its hash'),
});

const STATUS: Record<ClientError['kind'], number> = { not_found: 404, conflict: 409, invalid: 400 };

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ClientError) throw new HttpError(STATUS[err.kind], err.kind === 'invalid' ? 'invalid_request' : err.kind, err.message);
    throw err;
  }
}

export const clientOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/clients', operationId: 'listClients', summary: 'List OpenID Connect apps (never their secrets)', tag,
    permission: 'clients:read',
    response: listOf(clientOut),
    handler: async ({ ctx }) => ({ items: await listClients(ctx.store.db) }),
  }),
  defineOperation({
    method: 'GET', path: '/clients/:id', operationId: 'getClient', summary: 'Show one OpenID Connect app', tag,
    permission: 'clients:read',
    params: idParams,
    response: clientOut, errors: [404],
    handler: async ({ ctx, params }) => {
      const client = await findClient(ctx.store.db, params.id);
      if (!client) throw notFound(`no client ${params.id}`);
      return client;
    },
  }),
  defineOperation({
    method: 'POST', path: '/clients', operationId: 'createClient',
    summary: 'Register an OpenID Connect app; the response holds its secret, once', tag,
    permission: 'clients:write',
    body: newClientSchema,
    response: createdClientOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => mapped(() => createClient(ctx.store, body, by, { validate: validateClientMetadata })),
  }),
  defineOperation({
    method: 'DELETE', path: '/clients/:id', operationId: 'deleteClient', summary: 'Delete an OpenID Connect app; its tokens stop working', tag,
    permission: 'clients:write',
    params: idParams,
    errors: [404],
    handler: async ({ ctx, params, by }) => {
      await mapped(() => deleteClient(ctx.store, params.id, by));
    },
  }),
];

/** Registered with `{ prefix: '/api/admin' }`. */
export async function adminClientRoutes(app: FastifyInstance): Promise<void> {
  registerOperations(app, clientOperations);
}
