import type { Db, Tx } from '../../store/store.ts';
import type { OutboxTable } from './tables.ts';

/**
 * The store side of delivery, the same on both engines: a row is claimed by a
 * conditional UPDATE (still pending, lease free or expired), so of two nodes
 * racing for it exactly one sees "1 row updated"; a node that dies while
 * sending loses its lease when it expires and another node takes the row.
 * Attempts are counted at the claim, so a row that crashes its sender cannot
 * be tried for ever.
 */
export interface Backoff {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

// 5 s doubling to an hour between tries, 15 tries: a receiver may be away for some three to five hours before a delivery is given up.
export const DEFAULT_BACKOFF: Backoff = { baseMs: 5_000, maxMs: 3_600_000, maxAttempts: 15 };

/** Exponential, with the upper half jittered so nodes retrying one receiver do not stay in step. */
export function backoffMs(attempt: number, b: Backoff, random = Math.random): number {
  const full = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

export async function claimDue(db: Db, holder: string, leaseMs: number, limit: number): Promise<OutboxTable[]> {
  const now = new Date();
  const iso = now.toISOString();
  const due = await db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('due_at', '<=', iso)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', iso)]))
    .orderBy('due_at')
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const claimed: OutboxTable[] = [];
  for (const { id } of due) {
    const result = await db
      .updateTable('outbox')
      .set((eb) => ({ lease_holder: holder, lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', iso)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) continue;
    const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) claimed.push(row);
  }
  return claimed;
}

/** Marks a claimed row sent; false when this node no longer held it (its lease ran out and another node took it). */
export async function markSent(db: Db | Tx, row: OutboxTable, holder: string, note: string | null = null): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'sent', finished_at: new Date().toISOString(), lease_holder: null, lease_expires_at: null, last_error: note })
    .where('id', '=', row.id)
    .where('lease_holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** After a failed attempt: due again after the backoff, or failed for good once the attempts are used up (or retrying cannot help). */
export async function markAttemptFailed(db: Db, row: OutboxTable, holder: string, reason: string, retry: boolean, b: Backoff): Promise<'retry' | 'failed'> {
  const now = Date.now();
  const final = !retry || row.attempts >= b.maxAttempts;
  await db
    .updateTable('outbox')
    .set(final
      ? { status: 'failed', finished_at: new Date(now).toISOString(), lease_holder: null, lease_expires_at: null, last_error: reason }
      : { due_at: new Date(now + backoffMs(row.attempts, b)).toISOString(), lease_holder: null, lease_expires_at: null, last_error: reason })
    .where('id', '=', row.id)
    .where('lease_holder', '=', holder)
    .execute();
  return final ? 'failed' : 'retry';
}

const DAY_MS = 86_400_000;
/** Sent rows are kept a month (the deliveries list shows recent history); failed ones a quarter, to be looked into. */
export const KEEP_SENT_DAYS = 30;
export const KEEP_FAILED_DAYS = 90;

export async function pruneFinished(db: Db, now = new Date()): Promise<void> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  await db.deleteFrom('outbox').where('status', '=', 'sent').where('finished_at', '<', before(KEEP_SENT_DAYS)).execute();
  await db.deleteFrom('outbox').where('status', '=', 'failed').where('finished_at', '<', before(KEEP_FAILED_DAYS)).execute();
}
