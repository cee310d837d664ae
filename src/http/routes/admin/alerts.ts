import { z } from 'zod';
import { acknowledgeAlert, ALERT_SEVERITIES, alertFilterSchema, listAlerts } from '../../../monitor/alerts.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf } from './schemas.ts';

const tag = 'alerts';
const time = z.iso.datetime({ offset: true });

const alertOut = z.object({
  id: z.string(),
  createdAt: time,
  severity: z.enum(ALERT_SEVERITIES),
  kind: z.string(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  acknowledgedAt: time.nullable(),
  acknowledgedBy: z.string().nullable(),
  ackNote: z.string().nullable(),
});

export const alertOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/alerts', operationId: 'listAlerts', tag, permission: 'audit:read',
    summary: 'Alerts, newest first; unacknowledged only unless includeAcknowledged=true; severity means at least that severe',
    query: alertFilterSchema,
    response: listOf(alertOut),
    handler: async ({ ctx, query }) => ({ items: await listAlerts(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/alerts/:id/acknowledge', operationId: 'acknowledgeAlert', tag, permission: 'policies:write',
    summary: 'Mark an alert as seen and handled',
    params: idParams, body: z.strictObject({ note: z.string().trim().max(500).optional() }).optional(),
    response: alertOut, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => acknowledgeAlert(ctx.store, params.id, by, body?.note),
  }),
];
