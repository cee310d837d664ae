import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import { ConflictError, NotFoundError, type ChangedBy } from '../directory/errors.ts';
import { enqueue } from './outbox/enqueue.ts';

/**
 * Alerts: things a security person should look at (a break-glass account
 * signed in, a device was reported lost, …). Written by whatever noticed it,
 * in the same transaction as the change when there is one; listed and
 * acknowledged through the admin API and `tessera alerts`. Details never hold
 * a secret, a code or a pass.
 */
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface AlertsTable {
  id: string;
  created_at: string;
  severity: AlertSeverity;
  /** Dotted kind, e.g. "breakglass.signin", "device.lost". */
  kind: string;
  user_id: string | null;
  /** The username when the alert was raised (the account may be renamed or deleted later). */
  username: string | null;
  /** JSON object. */
  details: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_note: string | null;
}

export interface AlertTables {
  alerts: AlertsTable;
}

export interface Alert {
  id: string;
  createdAt: string;
  severity: AlertSeverity;
  kind: string;
  userId: string | null;
  username: string | null;
  details: Record<string, unknown>;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
}

export interface NewAlert {
  severity: AlertSeverity;
  kind: string;
  userId?: string | null;
  username?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

function toAlert(r: AlertsTable): Alert {
  return {
    id: r.id,
    createdAt: r.created_at,
    severity: r.severity,
    kind: r.kind,
    userId: r.user_id,
    username: r.username,
    details: JSON.parse(r.details) as Record<string, unknown>,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    ackNote: r.ack_note,
  };
}

/**
 * Writes an alert; pass the caller's transaction so the alert commits with the
 * change it is about. Its delivery is queued in the same transaction: one
 * outbox row the delivery worker fans out to every route configured for the
 * alert's severity (outbox/routes.ts), so an alert raised by the CLI, which
 * does not know the routes, reaches people as well.
 */
export async function raiseAlert(db: Db | Tx, alert: NewAlert): Promise<Alert> {
  const row: AlertsTable = {
    id: randomUUID(),
    created_at: (alert.at ?? new Date()).toISOString(),
    severity: alert.severity,
    kind: alert.kind,
    user_id: alert.userId ?? null,
    username: alert.username?.slice(0, 256) ?? null,
    details: JSON.stringify(alert.details ?? {}),
    acknowledged_at: null,
    acknowledged_by: null,
    ack_note: null,
  };
  await db.insertInto('alerts').values(row).execute();
  await enqueue(db, 'alert', { alertId: row.id }, { key: `alert:${row.id}` });
  return toAlert(row);
}

export const alertFilterSchema = z.object({
  /** Acknowledged alerts are left out unless asked for. */
  includeAcknowledged: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(false),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  kind: z.string().trim().min(1).max(64).optional(),
  userId: z.string().min(1).max(128).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AlertFilter = z.input<typeof alertFilterSchema>;

const RANK: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Newest first. `severity` means "at least this severe". */
export async function listAlerts(db: Db | Tx, filter: AlertFilter = {}): Promise<Alert[]> {
  const f = alertFilterSchema.parse(filter);
  let q = db.selectFrom('alerts').selectAll();
  if (!f.includeAcknowledged) q = q.where('acknowledged_at', 'is', null);
  if (f.severity) q = q.where('severity', 'in', ALERT_SEVERITIES.filter((s) => RANK[s] >= RANK[f.severity!]));
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.userId) q = q.where('user_id', '=', f.userId);
  if (f.since) q = q.where('created_at', '>=', new Date(f.since).toISOString());
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute();
  return rows.map(toAlert);
}

export async function getAlert(db: Db | Tx, id: string): Promise<Alert> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no alert ${id}`);
  return toAlert(row);
}

/** Marks an alert as seen and handled. Audited 'alert.acknowledge'; acknowledging twice is refused. */
export async function acknowledgeAlert(store: Store, id: string, by: ChangedBy, note?: string): Promise<Alert> {
  return auditedChange(store, async (trx, record) => {
    const before = await getAlert(trx, id);
    if (before.acknowledgedAt) throw new ConflictError(`alert ${id} was already acknowledged by ${before.acknowledgedBy}`);
    const at = new Date().toISOString();
    const cleanNote = note?.trim().slice(0, 500) || null;
    await trx.updateTable('alerts').set({ acknowledged_at: at, acknowledged_by: by.actor, ack_note: cleanNote }).where('id', '=', id).execute();
    const after = { ...before, acknowledgedAt: at, acknowledgedBy: by.actor, ackNote: cleanNote };
    await record({ actor: by.actor, action: 'alert.acknowledge', target: `alert:${id}`, requestId: by.requestId, after: { kind: after.kind, note: cleanNote } });
    return after;
  });
}
