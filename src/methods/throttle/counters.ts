import type { Db, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
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

// Every verification checks, counts and settles: these run twice per sign-in, compiled once (src/store/compiled.ts).
const accountRow = compiled((db, userId: string, method: string) =>
  db.selectFrom('method_throttle').select(['failures', 'last_failure_at', 'locked_until']).where('user_id', '=', userId).where('method', '=', method as MethodType),
);
const ipWindowRow = compiled((db, key: string, start: string) =>
  db.selectFrom('ip_throttle').select('failures').where('ip_key', '=', key).where('window_start', '=', start),
);
const addIpFailure = compiled((db, key: string, start: string) =>
  db.insertInto('ip_throttle').values({ ip_key: key, window_start: start, failures: 1 })
    .onConflict((oc) => oc.columns(['ip_key', 'window_start']).doUpdateSet((eb) => ({ failures: eb('ip_throttle.failures', '+', 1) })))
    .returning('failures'),
);
const takeBackIpFailure = compiled((db, key: string, start: string) =>
  db.updateTable('ip_throttle').set((eb) => ({ failures: eb('failures', '-', 1) })).where('ip_key', '=', key).where('window_start', '=', start).where('failures', '>', 0),
);
const writeAccount = compiled((db, userId: string, method: string, failures: number, lastFailureAt: string, lockedUntil: string | null) => {
  const values = { failures, last_failure_at: lastFailureAt, locked_until: lockedUntil };
  return db.insertInto('method_throttle').values({ user_id: userId, method: method as MethodType, ...values })
    .onConflict((oc) => oc.columns(['user_id', 'method']).doUpdateSet(values));
});
const deleteAccount = compiled((db, userId: string, method: string) =>
  db.deleteFrom('method_throttle').where('user_id', '=', userId).where('method', '=', method as MethodType),
);

export async function readAccount(db: Db | Tx, userId: string, method: MethodType): Promise<AccountCounters | undefined> {
  const row = await first(accountRow(db, userId, method));
  return row ? { failures: Number(row.failures), lastFailureAt: row.last_failure_at, lockedUntil: row.locked_until } : undefined;
}

export async function readIpWindow(db: Db | Tx, ip: string, start: string): Promise<number> {
  const row = await first(ipWindowRow(db, ipKey(ip), start));
  return row ? Number(row.failures) : 0;
}

/** Adds one failure to the address's current window; returns the window's new count. */
export async function bumpIp(trx: Tx, ip: string, now: Date): Promise<number> {
  const row = await first(addIpFailure(trx, ipKey(ip), windowStart(now)));
  if (!row) throw new Error('the address counter was not written');
  return Number(row.failures);
}

/** Takes back a failure counted for an attempt that then succeeded. */
export async function refundIp(db: Db | Tx, ip: string, start: string): Promise<void> {
  await takeBackIpFailure(db, ipKey(ip), start);
}

/** Windows older than the previous one no longer count for anybody. */
export async function sweepIpWindows(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('ip_throttle').where('window_start', '<', previousWindowStart(now)).execute();
}

/** Counts one more consecutive failure for the account and sets the lock it earns. */
export async function bumpAccount(trx: Tx, userId: string, method: MethodType, before: AccountCounters | undefined, now: Date): Promise<FailureState> {
  const failures = (before?.failures ?? 0) + 1;
  const lock = lockAfterFailure(failures, now);
  await writeAccount(trx, userId, method, failures, now.toISOString(), lock.lockedUntil);
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
  await deleteAccount(db, userId, method);
}

export function isPermanent(c: AccountCounters | undefined): boolean {
  return !!c && c.failures >= HARD_LIMIT;
}

export type { AccountCounters, ThrottleDecision };
