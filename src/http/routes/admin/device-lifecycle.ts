import { z } from 'zod';
import { getDevice } from '../../../directory/devices.ts';
import {
  bindMethodToDevice, credentialsOnDevice, offboardUser, presentBoundTables, replaceDevice, replacementSchema, reportDeviceLost, retireDevice,
} from '../../../recovery/devices/index.ts';
import { defineOperation, type Operation } from './operation.ts';
import { deviceOut, idParams, listOf } from './schemas.ts';

/** Device lifecycle beyond plain edits: lost, retired, replaced, methods bound to a device, offboarding. */
const tag = 'devices';

const credentialOut = z.object({ type: z.string(), id: z.string(), label: z.string().nullable() });

export const deviceLifecycleOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/devices/:id/lost', operationId: 'reportDeviceLost', tag, permission: 'devices:write',
    summary: 'Report a device lost: its methods revoked, all the user\'s sessions and app tokens revoked, an alert written',
    params: idParams, body: z.strictObject({ note: z.string().trim().max(500).optional() }).optional(),
    response: z.object({
      device: deviceOut, removedMethods: z.array(credentialOut), sessions: z.number().int(), appSessions: z.number().int(),
      grants: z.number().int(), appCredentials: z.number().int(), alertId: z.string(), onHold: z.boolean(),
    }),
    errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => reportDeviceLost(ctx, params.id, { ...by, reportedBy: 'helpdesk', note: body?.note }),
  }),
  defineOperation({
    method: 'POST', path: '/devices/:id/retire', operationId: 'retireDevice', tag, permission: 'devices:write',
    summary: 'Retire a device for good; its methods are removed',
    params: idParams,
    response: z.object({ device: deviceOut, removedMethods: z.array(credentialOut), onHold: z.boolean() }), errors: [404, 409],
    handler: async ({ ctx, params, by }) => retireDevice(ctx.store, params.id, by),
  }),
  defineOperation({
    method: 'POST', path: '/devices/:id/replace', operationId: 'replaceDevice', tag, permission: 'devices:write',
    summary: 'Register a new device for the same user and retire this one with its methods',
    params: idParams, body: z.strictObject(replacementSchema.shape),
    response: z.object({ device: deviceOut, retired: z.object({ device: deviceOut, removedMethods: z.array(credentialOut), onHold: z.boolean() }) }),
    status: 201, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => replaceDevice(ctx.store, params.id, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/devices/:id/methods', operationId: 'listDeviceMethods', tag, permission: 'devices:read',
    summary: 'The credentials bound to a device',
    params: idParams,
    response: listOf(credentialOut), errors: [404],
    handler: async ({ ctx, params }) => {
      const device = await getDevice(ctx.store.db, params.id);
      return { items: await credentialsOnDevice(ctx.store.db, await presentBoundTables(ctx.store.db), device.id, device.userId) };
    },
  }),
  defineOperation({
    method: 'POST', path: '/devices/:id/methods', operationId: 'bindDeviceMethod', tag, permission: 'devices:write',
    summary: 'Bind one of the owner\'s credentials (totp, webauthn, push) to this device',
    params: idParams, body: z.strictObject({ type: z.string().min(1).max(32), credentialId: z.string().min(1).max(128) }),
    response: credentialOut.extend({ deviceId: z.string() }), errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => bindMethodToDevice(ctx.store, { deviceId: params.id, ...body }, by),
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/offboard', operationId: 'offboardUser', tag: 'users', permission: 'users:write',
    summary: 'Offboard a user: every device retired, every method removed, every session and app token revoked, the account disabled',
    params: idParams, body: z.strictObject({ reason: z.string().trim().max(500).optional() }).optional(),
    response: z.object({
      userId: z.string(), username: z.string(), devicesRetired: z.number().int(), methodsRemoved: z.array(z.object({ type: z.string(), id: z.string() })),
      passwordRemoved: z.boolean(), backupCodesRemoved: z.boolean(), tapsRevoked: z.number().int(), sessions: z.number().int(),
      appSessions: z.number().int(), grants: z.number().int(), appCredentials: z.number().int(),
    }),
    errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => offboardUser(ctx.store, params.id, { ...by, reason: body?.reason }),
  }),
];
