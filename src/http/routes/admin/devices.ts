import { z } from 'zod';
import { createDevice, deviceFilterSchema, devicePatchSchema, getDevice, listDevices, newDeviceSchema, updateDevice } from '../../../directory/devices.ts';
import { reportDeviceLost, retireDevice } from '../../../recovery/devices/lifecycle.ts';
import { defineOperation, type Operation } from './operation.ts';
import { deviceOut, idParams, listOf } from './schemas.ts';

const tag = 'devices';

export const deviceOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/devices', operationId: 'listDevices', summary: 'List devices, optionally of one user or in one status', tag, permission: 'devices:read',
    query: deviceFilterSchema,
    response: listOf(deviceOut), errors: [404],
    handler: async ({ ctx, query }) => ({ items: await listDevices(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/devices', operationId: 'createDevice', summary: 'Register a device for a user', tag, permission: 'devices:write',
    body: z.strictObject(newDeviceSchema.shape),
    response: deviceOut, status: 201, errors: [404],
    handler: async ({ ctx, body, by }) => createDevice(ctx.store, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/devices/:id', operationId: 'getDevice', summary: 'Show a device', tag, permission: 'devices:read',
    params: idParams,
    response: deviceOut, errors: [404],
    handler: async ({ ctx, params }) => getDevice(ctx.store.db, params.id),
  }),
  defineOperation({
    method: 'PATCH', path: '/devices/:id', operationId: 'updateDevice', summary: 'Change a device\'s status (active, lost, retired), compliance, label or platform', tag, permission: 'devices:write',
    params: idParams, body: devicePatchSchema,
    response: deviceOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => {
      // Lost and retired are lifecycle events, not labels: they revoke the device's methods
      // (and, when lost, the owner's sessions), whichever route reports them.
      const { status, ...rest } = body;
      const current = await getDevice(ctx.store.db, params.id);
      const patch = status === 'active' ? { ...rest, status } : rest;
      if (Object.keys(patch).length) await updateDevice(ctx.store, params.id, patch, by);
      if (status === 'lost' && current.status !== 'lost') await reportDeviceLost(ctx, params.id, { ...by, reportedBy: 'helpdesk' });
      else if (status === 'retired' && current.status !== 'retired') await retireDevice(ctx.store, params.id, by);
      return getDevice(ctx.store.db, params.id);
    },
  }),
];
