import { z } from 'zod';
import type { Db } from '../../store/store.ts';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES, type OutboxChannel, type OutboxStatus, type OutboxTable } from './tables.ts';

/** The deliveries as the admin API and the metrics show them: never the payload (it may hold a person's address or a message). */
export interface Delivery {
  id: string;
  channel: OutboxChannel;
  status: OutboxStatus;
  createdAt: string;
  dueAt: string;
  attempts: number;
  lastError: string | null;
  finishedAt: string | null;
}

export const deliveryFilterSchema = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  channel: z.enum(OUTBOX_CHANNELS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type DeliveryFilter = z.input<typeof deliveryFilterSchema>;

/** The columns a Delivery is made of: never the payload. */
export const DELIVERY_COLUMNS = ['id', 'channel', 'status', 'created_at', 'due_at', 'attempts', 'last_error', 'finished_at'] as const;

/** Newest first. */
export async function listDeliveries(db: Db, filter: DeliveryFilter = {}): Promise<Delivery[]> {
  const f = deliveryFilterSchema.parse(filter);
  let q = db.selectFrom('outbox').select(DELIVERY_COLUMNS);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.channel) q = q.where('channel', '=', f.channel);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute();
  return rows.map(toDelivery);
}

type DeliveryRow = Pick<OutboxTable, (typeof DELIVERY_COLUMNS)[number]>;

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id, channel: r.channel, status: r.status, createdAt: r.created_at, dueAt: r.due_at,
    attempts: Number(r.attempts), lastError: r.last_error, finishedAt: r.finished_at,
  };
}

/** How many rows wait, were sent or failed, per channel (the /metrics gauge). */
export async function countDeliveries(db: Db): Promise<Array<{ channel: string; status: string; count: number }>> {
  const rows = await db
    .selectFrom('outbox')
    .select((eb) => ['channel', 'status', eb.fn.countAll<number>().as('count')])
    .groupBy(['channel', 'status'])
    .execute();
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
}
