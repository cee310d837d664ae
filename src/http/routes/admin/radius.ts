import { z } from 'zod';
import { addRadiusClient, listRadiusClients, newRadiusClientSchema, removeRadiusClient } from '../../../protocols/radius/clients.ts';
import { APP_CATEGORIES } from '../../../monitor/posture/categories.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

/** RADIUS clients (the NAS devices): the CLI's `tessera radius client …` twin. Secrets go in, never come out. */
const tag = 'radius';
const radiusClientOut = z.object({
  id: z.string(), name: z.string(), address: z.string(), mode: z.enum(['challenge', 'append']), category: z.enum(APP_CATEGORIES),
  createdAt: z.string(), createdBy: z.string(), updatedAt: z.string(),
});

export const radiusOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/radius/clients', operationId: 'listRadiusClients', summary: 'List RADIUS clients (never their secrets)', tag,
    permission: 'clients:read',
    response: listOf(radiusClientOut),
    handler: async ({ ctx }) => ({ items: await listRadiusClients(ctx.store.db) }),
  }),
  defineOperation({
    method: 'POST', path: '/radius/clients', operationId: 'addRadiusClient',
    summary: 'Register a RADIUS client by the address it sends from, with its shared secret (sealed at rest)', tag,
    permission: 'clients:write',
    body: newRadiusClientSchema,
    response: radiusClientOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => addRadiusClient(ctx.store, ctx.secrets, body, by),
  }),
  defineOperation({
    method: 'DELETE', path: '/radius/clients/:name', operationId: 'removeRadiusClient', summary: 'Remove a RADIUS client: its packets are dropped from then on', tag,
    permission: 'clients:write',
    params: z.object({ name: z.string().min(1).max(63) }),
    errors: [404],
    handler: async ({ ctx, params, by }) => {
      await removeRadiusClient(ctx.store, params.name, by);
    },
  }),
];
