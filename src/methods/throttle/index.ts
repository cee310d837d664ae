/** Rate limiting of every verification: per account and method, and per client address. */
export { checkThrottle, recordFailure, recordSuccess, reserveAttempt, settleSuccess, type Reservation, type ReservedAttempt } from './throttle.ts';
export { throttledVerification } from './attempt.ts';
export { throttleStatus, unlockFactor, unlockFactors, type FactorThrottleStatus } from './unlock.ts';
export type { FailureState, ThrottleKey } from './counters.ts';
export {
  DELAY_AFTER, HARD_LIMIT, IP_LIMIT, IP_WINDOW_MS, LOCK_AFTER, LOCK_MS, MAX_DELAY_MS,
  type ThrottleDecision, type ThrottleReason,
} from './rules.ts';
export { ipKey } from './ip-key.ts';
