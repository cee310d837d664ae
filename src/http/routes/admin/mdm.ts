import { z } from 'zod';
import { updateDevice } from '../../../directory/devices.ts';
import { issueDeviceToken } from '../../../policy/store/device-binding.ts';
import { defineOperation, type Operation } from './operation.ts';
import { deviceOut, idParams } from './schemas.ts';

/**
 * Where an MDM reports a device's state: managed (enrolled) and compliant.
 * Conditional access reads these from the device records; the change is
 * audited like any other device change. The MDM calls it with an API token
 * whose role carries devices:write.
 */
export const mdmOperations: Operation[] = [
  defineOperation({
    method: 'POST', path: '/mdm/devices/:id/compliance', operationId: 'reportDeviceCompliance',
    summary: 'MDM: report whether a device is managed and compliant', tag: 'devices', permission: 'devices:write',
    params: idParams,
    body: z.strictObject({ compliant: z.boolean(), managed: z.boolean().default(true) }),
    response: deviceOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => updateDevice(ctx.store, params.id, { compliant: body.compliant, managed: body.managed }, by),
  }),
  defineOperation({
    method: 'POST', path: '/mdm/devices/:id/token', operationId: 'issueDeviceToken',
    summary: 'MDM: issue the device token a managed device presents at sign-in (X-Tessera-Device header or tessera_device cookie); shown once',
    tag: 'devices', permission: 'devices:write',
    params: idParams,
    response: z.object({ deviceId: z.string(), token: z.string().describe('Shown in this response only; the previous token of the device stops working') }),
    status: 201, errors: [404, 409],
    handler: async ({ ctx, params, by }) => issueDeviceToken(ctx.store, params.id, by),
  }),
];
