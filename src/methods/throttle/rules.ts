/**
 * The throttling rules as pure functions of stored counters and the time, so
 * they are tested without a store and every node decides alike.
 *
 * Per account and method (NIST SP 800-63B §5.2.2): from the 5th consecutive
 * failure each attempt waits 2^(n-5) seconds; the 10th locks the factor for
 * 15 minutes (and every failure after it re-locks); the 100th locks it until
 * an administrator unlocks it, so no account sees more than 100 consecutive
 * failures. Per client address: at most 50 failures in any 5 minutes, counted
 * across all accounts (password spraying), estimated with a sliding window.
 */
export const DELAY_AFTER = 5;
export const MAX_DELAY_MS = 5 * 60_000;
export const LOCK_AFTER = 10;
export const LOCK_MS = 15 * 60_000;
export const HARD_LIMIT = 100;
export const IP_LIMIT = 50;
export const IP_WINDOW_MS = 5 * 60_000;

export type ThrottleReason = 'delay' | 'locked' | 'ip_limited';

/** Whether an attempt may go ahead. retryAfterMs null: locked until an administrator unlocks it. */
export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; reason: ThrottleReason; retryAfterMs: number | null };

export interface AccountCounters {
  failures: number;
  lastFailureAt: string | null;
  lockedUntil: string | null;
}

export function delayMs(failures: number): number {
  if (failures < DELAY_AFTER) return 0;
  return Math.min(2 ** (failures - DELAY_AFTER) * 1000, MAX_DELAY_MS);
}

export function accountDecision(c: AccountCounters | undefined, now: Date): ThrottleDecision {
  if (!c || c.failures === 0) return { allowed: true };
  if (c.failures >= HARD_LIMIT) return { allowed: false, reason: 'locked', retryAfterMs: null };
  const t = now.getTime();
  if (c.lockedUntil) {
    const left = Date.parse(c.lockedUntil) - t;
    if (left > 0) return { allowed: false, reason: 'locked', retryAfterMs: left };
  }
  if (c.lastFailureAt) {
    const left = Date.parse(c.lastFailureAt) + delayMs(c.failures) - t;
    if (left > 0) return { allowed: false, reason: 'delay', retryAfterMs: left };
  }
  return { allowed: true };
}

/** The lock a failure that brings the count to `failures` sets: none, until a time, or until unlocked. */
export function lockAfterFailure(failures: number, now: Date): { lockedUntil: string | null; permanent: boolean } {
  if (failures >= HARD_LIMIT) return { lockedUntil: null, permanent: true };
  if (failures >= LOCK_AFTER) return { lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString(), permanent: false };
  return { lockedUntil: null, permanent: false };
}

export function windowStart(now: Date): string {
  return new Date(Math.floor(now.getTime() / IP_WINDOW_MS) * IP_WINDOW_MS).toISOString();
}

export function previousWindowStart(now: Date): string {
  return new Date(Date.parse(windowStart(now)) - IP_WINDOW_MS).toISOString();
}

/**
 * Sliding-window estimate from two fixed windows: the current count plus the
 * previous window's count weighted by how much of it still overlaps the last
 * five minutes. Refuses when another failure would pass the limit, and says
 * when the estimate will have dropped below it.
 */
export function ipDecision(previous: number, current: number, now: Date): ThrottleDecision {
  const elapsed = now.getTime() - Date.parse(windowStart(now));
  const estimate = current + previous * (1 - elapsed / IP_WINDOW_MS);
  if (estimate < IP_LIMIT) return { allowed: true };
  let wait: number;
  if (current < IP_LIMIT) {
    // Still in this window: wait until the previous window's weight has shrunk enough.
    wait = IP_WINDOW_MS * (1 - (IP_LIMIT - current) / previous) - elapsed;
  } else {
    // Only the next window helps: this window's count then fades the same way.
    wait = IP_WINDOW_MS - elapsed + IP_WINDOW_MS * (1 - IP_LIMIT / current);
  }
  return { allowed: false, reason: 'ip_limited', retryAfterMs: Math.max(1, Math.ceil(wait) + 1) };
}
