import type { Store, Tx } from '../../store/store.ts';
import {
  bumpAccount, bumpIp, clearAccount, lockFor, NO_ACCOUNT_STATE, readAccount, readIpWindow, refundIp, sweepIpWindows,
  type FailureState, type ThrottleKey,
} from './counters.ts';
import { accountDecision, ipDecision, previousWindowStart, windowStart, type ThrottleDecision } from './rules.ts';

type Denial = Extract<ThrottleDecision, { allowed: false }>;

/** Thrown inside the transaction to roll back a counted attempt that the address limit refuses. */
class Refused extends Error {
  readonly decision: Denial;
  constructor(decision: Denial) {
    super('attempt refused by the throttle');
    this.decision = decision;
  }
}

async function ipAllows(trx: Tx | Store['db'], ip: string, now: Date, current: number): Promise<ThrottleDecision> {
  const previous = await readIpWindow(trx, ip, previousWindowStart(now));
  return ipDecision(previous, current, now);
}

/**
 * Read-only: may an attempt go ahead now? Good for showing "try again in …"
 * before asking for a code. To verify, use throttledVerification (or
 * reserveAttempt), which checks and counts in one step.
 */
export async function checkThrottle(store: Store, key: ThrottleKey): Promise<ThrottleDecision> {
  const now = key.now ?? new Date();
  if (key.userId) {
    const d = accountDecision(await readAccount(store.db, key.userId, key.method), now);
    if (!d.allowed) return d;
  }
  if (key.ip) return ipAllows(store.db, key.ip, now, await readIpWindow(store.db, key.ip, windowStart(now)));
  return { allowed: true };
}

/** The address window each store was last swept for here: the sweep runs once per process and window. */
const sweptForWindow = new WeakMap<Store, string>();

async function countFailure(store: Store, key: ThrottleKey, now: Date, check: boolean): Promise<FailureState | Denial> {
  try {
    const result = await store.serialized(lockFor(key), async (trx): Promise<FailureState | Denial> => {
      const before = key.userId ? await readAccount(trx, key.userId, key.method) : undefined;
      if (check) {
        const d = accountDecision(before, now);
        if (!d.allowed) return d;
      }
      if (key.ip) {
        const current = await bumpIp(trx, key.ip, now);
        if (check) {
          const d = await ipAllows(trx, key.ip, now, current - 1);
          if (!d.allowed) throw new Refused(d);
        }
      }
      return key.userId ? bumpAccount(trx, key.userId, key.method, before, now) : NO_ACCOUNT_STATE;
    });
    // Housekeeping once per window (not per attempt: a refunded success would bring every count back to 1).
    const window = windowStart(now);
    if (key.ip && sweptForWindow.get(store) !== window) {
      sweptForWindow.set(store, window);
      // A failed sweep is retried in the next window; old rows only take space meanwhile.
      await sweepIpWindows(store.db, now).catch(() => undefined);
    }
    return result;
  } catch (err) {
    if (err instanceof Refused) return err.decision;
    throw err;
  }
}

/** Counts a failed verification for the account+method and the address; says whether it just locked the factor. */
export async function recordFailure(store: Store, key: ThrottleKey): Promise<FailureState> {
  return (await countFailure(store, key, key.now ?? new Date(), false)) as FailureState;
}

/** A successful verification: the account's consecutive-failure count starts again from zero. */
export async function recordSuccess(store: Store, key: Pick<ThrottleKey, 'userId' | 'method'>): Promise<void> {
  if (!key.userId) return;
  const userId = key.userId;
  await store.serialized(lockFor(key), (trx) => clearAccount(trx, userId, key.method));
}

/** An attempt that was allowed and is counted as a failure until settleSuccess says otherwise. */
export interface ReservedAttempt {
  key: ThrottleKey;
  now: Date;
  /** The counters as they stand if this attempt fails. */
  state: FailureState;
}

export type Reservation = { allowed: true; attempt: ReservedAttempt } | Denial;

/**
 * Checks and counts in one serialized step, before the secret is looked at:
 * the attempt counts as a failure until it succeeds. So a burst of parallel
 * guesses cannot all pass the check before any failure is recorded.
 */
export async function reserveAttempt(store: Store, key: ThrottleKey): Promise<Reservation> {
  const now = key.now ?? new Date();
  const outcome = await countFailure(store, key, now, true);
  if ('allowed' in outcome) return outcome;
  return { allowed: true, attempt: { key, now, state: outcome } };
}

/** The reserved attempt succeeded: reset the account's count and take the address's failure back. */
export async function settleSuccess(store: Store, attempt: ReservedAttempt): Promise<void> {
  const { key, now } = attempt;
  await store.serialized(lockFor(key), async (trx) => {
    if (key.userId) await clearAccount(trx, key.userId, key.method);
    if (key.ip) await refundIp(trx, key.ip, windowStart(now));
  });
}
