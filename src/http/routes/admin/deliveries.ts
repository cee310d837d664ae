import { z } from 'zod';
import { deliveryFilterSchema, listDeliveries } from '../../../monitor/outbox/list.ts';
import { retryDelivery } from '../../../monitor/outbox/retry.ts';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES } from '../../../monitor/outbox/tables.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';

const time = z.iso.datetime({ offset: true });

const deliveryOut = z.object({
  id: z.string(),
  channel: z.enum(OUTBOX_CHANNELS),
  status: z.enum(OUTBOX_STATUSES),
  createdAt: time,
  dueAt: time,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  finishedAt: time.nullable(),
});

export const deliveryOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/deliveries', operationId: 'listDeliveries', tag: 'alerts', permission: 'audit:read',
    summary: 'Outgoing deliveries (alert e-mail, webhook, syslog, checkpoints, notifications), newest first; status=failed lists the ones given up on, with the reason',
    query: deliveryFilterSchema,
    response: listOf(deliveryOut),
    handler: async ({ ctx, query }) => ({ items: await listDeliveries(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/deliveries/:id/retry', operationId: 'retryDelivery', tag: 'alerts', permission: 'policies:write',
    summary: 'Send a failed delivery again, from its first attempt (after the mail server, receiver or collector is fixed); audited delivery.retry',
    params: idParams, response: deliveryOut, errors: [404, 409],
    handler: async ({ ctx, params, by }) => retryDelivery(ctx.store, params.id, by),
  }),
];
