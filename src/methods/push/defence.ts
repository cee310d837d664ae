import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { PushRecorder } from './events.ts';
import type { PushSettings } from './settings.ts';

/**
 * Push bombing defence: a per-user limit on push requests, and after repeated
 * denials or unanswered pushes a cool-down during which push is not offered.
 */
export type PushRefusal = { reason: 'suspended'; until: string } | { reason: 'rate_limited'; retryAt: string };

export async function pushSuspendedUntil(db: Db | Tx, userId: string, now = new Date()): Promise<string | null> {
  const row = await db.selectFrom('push_suspensions').select('until').where('user_id', '=', userId).executeTakeFirst();
  return row && new Date(row.until) > now ? row.until : null;
}

/** Whether one more push may be sent to the user now; call inside the user's serialized section. */
export async function pushRefusal(db: Db | Tx, userId: string, s: PushSettings, now = new Date()): Promise<PushRefusal | null> {
  const until = await pushSuspendedUntil(db, userId, now);
  if (until) return { reason: 'suspended', until };
  const since = new Date(now.getTime() - s.windowMinutes * 60_000).toISOString();
  const recent = await db.selectFrom('push_requests').select('created_at').where('user_id', '=', userId).where('created_at', '>', since).orderBy('created_at').execute();
  if (recent.length >= s.requestsPerWindow) {
    const retryAt = new Date(new Date(recent[0]!.created_at).getTime() + s.windowMinutes * 60_000).toISOString();
    return { reason: 'rate_limited', retryAt };
  }
  return null;
}

/**
 * After a denial or an unanswered push: when the failures in the window reach
 * the threshold, suspend push for the cool-down, and record an alert and the
 * refused attempt.
 * Returns the suspension's end when this call suspended push.
 */
export async function checkPushBombing(
  db: Db | Tx,
  userId: string,
  s: PushSettings,
  record: PushRecorder,
  facts: { ip?: string | null; username?: string | null; transactionId?: string | null },
  now = new Date(),
): Promise<string | null> {
  if (await pushSuspendedUntil(db, userId, now)) return null;
  const since = new Date(now.getTime() - s.failureWindowMinutes * 60_000).toISOString();
  const rows = await db
    .selectFrom('push_requests')
    .select(['status', 'expires_at'])
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .execute();
  const failures = rows.filter((r) => r.status === 'denied' || r.status === 'reported' || r.status === 'expired' || (r.status === 'pending' && new Date(r.expires_at) <= now)).length;
  if (failures < s.failuresBeforeSuspend) return null;
  const until = new Date(now.getTime() + s.suspendMinutes * 60_000).toISOString();
  await db.deleteFrom('push_suspensions').where('user_id', '=', userId).execute();
  await db.insertInto('push_suspensions').values({ user_id: userId, until, reason: 'repeated_denied_or_unanswered', created_at: now.toISOString() }).execute();
  await record.alert(db, {
    kind: 'push.bombing',
    userId,
    username: facts.username ?? null,
    details: { failures, windowMinutes: s.failureWindowMinutes, suspendedUntil: until, ip: facts.ip ?? null },
    at: now,
  });
  await record.attempt(db, {
    userId, username: facts.username ?? null, ip: facts.ip ?? null, result: 'locked', reason: 'push_suspended',
    transactionId: facts.transactionId ?? null, at: now,
  });
  return until;
}

/** Lifts a push suspension (the helpdesk, after talking to the person); audited 'method.push.unsuspend'. */
export async function liftPushSuspension(store: Store, userId: string, by: { actor: string; requestId?: string | null }): Promise<boolean> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('push_suspensions').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('push_suspensions').where('user_id', '=', userId).execute();
    await record({ actor: by.actor, action: 'method.push.unsuspend', target: `user:${userId}`, requestId: by.requestId, before: { until: row.until, reason: row.reason } });
    return true;
  });
}
