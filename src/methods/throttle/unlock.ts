import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { MethodType } from '../method.ts';
import { accountDecision, HARD_LIMIT } from './rules.ts';

export interface FactorThrottleStatus {
  method: string;
  failures: number;
  lockedUntil: string | null;
  /** Locked until unlocked by an administrator or the helpdesk (100 consecutive failures). */
  permanent: boolean;
  /** Refused right now (delay, lock or permanent lock). */
  blocked: boolean;
}

/** The throttle state of each of a user's factors that has failures, for the helpdesk. */
export async function throttleStatus(db: Db | Tx, userId: string, now = new Date()): Promise<FactorThrottleStatus[]> {
  const rows = await db.selectFrom('method_throttle').selectAll().where('user_id', '=', userId).orderBy('method').execute();
  return rows.map((r) => {
    const failures = Number(r.failures);
    const counters = { failures, lastFailureAt: r.last_failure_at, lockedUntil: r.locked_until };
    return {
      method: r.method,
      failures,
      lockedUntil: r.locked_until,
      permanent: failures >= HARD_LIMIT,
      blocked: !accountDecision(counters, now).allowed,
    };
  });
}

/**
 * Clears a factor's failures and lock (the only way out after 100 consecutive
 * failures). Audited 'method.throttle.unlock'. Returns false when there was nothing to clear.
 */
export async function unlockFactor(
  store: Store,
  input: { userId: string; method: MethodType; actor: string; requestId?: string | null },
): Promise<boolean> {
  return (await unlockFactors(store, input)).length > 0;
}

/**
 * Clears the failures and locks of one factor, or of every factor of the user
 * when no method is given, in one audited change with one entry per factor
 * cleared. Returns the methods that had something to clear.
 */
export async function unlockFactors(
  store: Store,
  input: { userId: string; method?: MethodType; actor: string; requestId?: string | null },
): Promise<string[]> {
  return auditedChange(store, async (trx, record) => {
    let q = trx.selectFrom('method_throttle').select(['method', 'failures', 'locked_until']).where('user_id', '=', input.userId);
    if (input.method) q = q.where('method', '=', input.method);
    const rows = await q.orderBy('method').execute();
    for (const row of rows) {
      await trx.deleteFrom('method_throttle').where('user_id', '=', input.userId).where('method', '=', row.method).execute();
      await record({
        actor: input.actor,
        action: 'method.throttle.unlock',
        target: `user:${input.userId}`,
        requestId: input.requestId,
        before: { method: row.method, failures: Number(row.failures), locked_until: row.locked_until },
        after: { method: row.method, failures: 0 },
      });
    }
    return rows.map((r) => r.method);
  });
}
