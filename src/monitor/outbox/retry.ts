import type { Store } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { ConflictError, NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import { DELIVERY_COLUMNS, toDelivery, type Delivery } from './list.ts';

/**
 * Sends a delivery that was given up on again, from its first attempt: after
 * the mail server, the webhook receiver or the syslog collector is fixed, the
 * alerts and notices it missed still reach someone. Only a failed delivery can
 * be retried (a pending one is still being tried; a sent one arrived). The
 * reason of its last failure stays until the next attempt replaces it.
 * Audited 'delivery.retry' under the person who asked.
 */
export async function retryDelivery(store: Store, id: string, by: ChangedBy): Promise<Delivery> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('outbox').select(DELIVERY_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no delivery ${id}`);
    if (row.status !== 'failed') throw new ConflictError(`only a failed delivery can be sent again; this one is ${row.status}`);
    const fresh = { status: 'pending' as const, attempts: 0, due_at: new Date().toISOString(), finished_at: null };
    await trx.updateTable('outbox').set({ ...fresh, lease_holder: null, lease_expires_at: null }).where('id', '=', id).where('status', '=', 'failed').execute();
    await record({
      actor: by.actor, action: 'delivery.retry', target: `delivery:${id}`, requestId: by.requestId,
      before: { channel: row.channel, status: row.status, attempts: Number(row.attempts), lastError: row.last_error },
      after: { status: 'pending' },
    });
    return toDelivery({ ...row, ...fresh });
  });
}
