import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';
import { resolveUser } from '../../directory/users.ts';
import { endLiveTaps, toTapView, withNames, type TapView } from './model.ts';

/**
 * Ends the user's live pass (pending or active) at once. Audited 'tap.revoke';
 * returns the revoked pass, or null when there was none.
 */
export async function revokeTap(store: Store, userRef: string, by: ChangedBy & { reason?: string; now?: Date }): Promise<TapView | null> {
  const now = by.now ?? new Date();
  return auditedChange(store, (trx, record) => revokeTapIn(trx, userRef, by, now, record));
}

/** The same, inside a transaction the caller holds (closing a case, offboarding). */
export async function revokeTapIn(
  trx: Tx,
  userRef: string,
  by: ChangedBy & { reason?: string },
  now: Date,
  record: RecordAudit,
): Promise<TapView | null> {
  const user = await resolveUser(trx, userRef);
  const reason = by.reason?.trim().slice(0, 200) || 'revoked';
  const ended = await endLiveTaps(trx, user.id, 'revoked', by.actor, reason, now);
  if (!ended.length) return null;
  const after = toTapView({ ...ended[0]!, status: 'revoked', ended_at: now.toISOString(), ended_by: by.actor, end_reason: reason }, now);
  await record({ actor: by.actor, action: 'tap.revoke', target: `user:${user.id}`, requestId: by.requestId, before: toTapView(ended[0]!, now), after });
  return after;
}

/** The user's passes, newest first (the live one, if any, is first). */
export async function listTaps(db: Db | Tx, userRef: string, limit = 20, now = new Date()): Promise<TapView[]> {
  const user = await resolveUser(db, userRef);
  const rows = await db
    .selectFrom('temporary_access_passes')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return withNames(db, rows.map((r) => toTapView(r, now)));
}

export async function getTap(db: Db | Tx, id: string, now = new Date()): Promise<TapView | null> {
  const row = await db.selectFrom('temporary_access_passes').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withNames(db, [toTapView(row, now)]))[0]! : null;
}
