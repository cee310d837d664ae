import type { Store } from '../../store/store.ts';
import type { VerifyResult } from '../method.ts';
import type { ThrottleKey } from './counters.ts';
import { reserveAttempt, settleSuccess } from './throttle.ts';

/**
 * Runs one verification under the throttle: refused without looking at the
 * secret when the account, method or address is throttled; otherwise counted
 * before `verify` runs and taken back only when it succeeds. If `verify`
 * throws, the attempt stays counted (fail closed).
 */
export async function throttledVerification(
  store: Store,
  key: ThrottleKey,
  verify: () => Promise<VerifyResult>,
): Promise<VerifyResult> {
  const reservation = await reserveAttempt(store, key);
  if (!reservation.allowed) {
    return { ok: false, reason: 'locked', retryAfterMs: reservation.retryAfterMs, throttle: reservation.reason };
  }
  const result = await verify();
  if (result.ok) {
    await settleSuccess(store, reservation.attempt);
    return result;
  }
  const { state } = reservation.attempt;
  return state.justLocked ? { ...result, justLocked: true, retryAfterMs: state.retryAfterMs } : result;
}
