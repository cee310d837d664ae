import type { Db, Tx } from '../../store/store.ts';
import type { MethodType } from '../method.ts';
import { ipKey } from './ip-key.ts';
import {
  accountDecision, delayMs, HARD_LIMIT, LOCK_MS, lockAfterFailure, previousWindowStart, windowStart,
  type AccountCounters, type ThrottleDecision,
} from './rules.ts';

/**
 * Reading and writing the counters. Callers run the writes inside
 * store.serialized(lockFor(key)), so two nodes counting one account's failures
 * never lose an increment.
 */
export interface ThrottleKey {
  /** The account; the sign-in engine may pass a placeholder for a name that matches no account. */
  userId?: string;
  method: MethodType;
  /** The client address, for the per-address limit across accounts. */
  ip?: string;
  /** The time of the attempt (tests inject it). */
  now?: Date;
}

/** What the counters say after a failure was counted. */
export interface FailureState {
  /** Consecutive failures of this account and method (0 when no account was given). */
  failures: number;
  /** The factor is locked now: the next attempt is refused until lockedUntil, or until unlocked when permanent. */
  locked: boolean;
  /** This failure set the lock: the caller writes that to the sign-in log. */
  justLocked: boolean;
  /** Locked until an administrator or the helpdesk unlocks it (unlockFactor). */
  permanent: boolean;
  lockedUntil: string | null;
  /** When locked: time until it lifts (null when permanent). Otherwise the delay before the next attempt (0 = none). */
  retryAfterMs: number | null;
}

export const NO_ACCOUNT_STATE: FailureState = {
  failures: 0, locked: false, justLocked: false, permanent: false, lockedUntil: null, retryAfterMs: 0,
};

export function lockFor(key: ThrottleKey): string {
  return key.userId ? `tessera.throttle:${key.method}:${key.userId}` : `tessera.throttle.ip:${ipKey(key.ip ?? '')}`;
}

export async function readAccount(db: Db | Tx, userId: string, method: MethodType): Promise<AccountCounters | undefined> {
  const row = await db
    .selectFrom('method_throttle')
    .select(['failures', 'last_failure_at', 'locked_until'])
    .where('user_id', '=', userId)
    .where('method', '=', method)
    .executeTakeFirst();
  return row ? { failures: Number(row.failures), lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until } : undefined;
}

export async function readIpWindow(db: Db | Tx, ip: string, start: string): Promise<number> {
  const row = await db
    .selectFrom('ip_throttle')
    .select('failures')
    .where('ip_key', '=', ipKey(ip))
    .where('window_start', '=', start)
    .executeTakeFirst();
  return row ? Number(row.failures) : 0;
}

/** Adds one failure to the address's current window; returns the window's new count. */
export async function bumpIp(trx: Tx, ip: string, now: Date): Promise<number> {
  const row = await trx
    .insertInto('ip_throttle')
    .values({ ip_key: ipKey(ip), window_start: windowStart(now), failures: 1 })
    .onConflict((oc) => oc.columns(['ip_key', 'window_start']).doUpdateSet((eb) => ({ failures: eb('ip_throttle.failures', '+', 1) })))
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

/** Takes back a failure counted for an attempt that then succeeded. */
export async function refundIp(db: Db | Tx, ip: string, start: string): Promise<void> {
  await db
    .updateTable('ip_throttle')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('ip_key', '=', ipKey(ip))
    .where('window_start', '=', start)
    .where('failures', '>', 0)
    .execute();
}

/** Windows older than the previous one no longer count for anybody. */
export async function sweepIpWindows(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('ip_throttle').where('window_start', '<', previousWindowStart(now)).execute();
}

/** Counts one more consecutive failure for the account and sets the lock it earns. */
export async function bumpAccount(trx: Tx, userId: string, method: MethodType, before: AccountCounters | undefined, now: Date): Promise<FailureState> {
  const failures = (before?.failures ?? 0) + 1;
  const lock = lockAfterFailure(failures, now);
  const values = { failures, last_failure_at: now.toISOString(), locked_until: lock.lockedUntil };
  await trx
    .insertInto('method_throttle')
    .values({ user_id: userId, method, ...values })
    .onConflict((oc) => oc.columns(['user_id', 'method']).doUpdateSet(values))
    .execute();
  const locked = lock.permanent || lock.lockedUntil !== null;
  const wasLocked = (() => {
    const d = accountDecision(before, now);
    return !d.allowed && d.reason === 'locked';
  })();
  return {
    failures,
    locked,
    justLocked: locked && !wasLocked,
    permanent: lock.permanent,
    lockedUntil: lock.lockedUntil,
    retryAfterMs: lock.permanent ? null : locked ? LOCK_MS : delayMs(failures),
  };
}

export async function clearAccount(db: Db | Tx, userId: string, method: MethodType): Promise<void> {
  await db.deleteFrom('method_throttle').where('user_id', '=', userId).where('method', '=', method).execute();
}

export function isPermanent(c: AccountCounters | undefined): boolean {
  return !!c && c.failures >= HARD_LIMIT;
}

export type { AccountCounters, ThrottleDecision };
