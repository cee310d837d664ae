import type { RiskLevel } from './document.ts';

/**
 * Risk levels from what the sign-in log shows. Pure: the counts are gathered
 * by the caller (src/policy/store/risk-facts.ts). Simple, explainable rules,
 * so an administrator can tell why a sign-in counted as risky.
 */
export interface UserRiskCounts {
  /** Failed second factors in the last 24 hours: the password was right, so it may be known to someone else. */
  secondFactorFailures: number;
  /** Locks (any factor) in the last 24 hours. */
  locks: number;
  /** Wrong passwords in the last 24 hours. */
  passwordFailures: number;
}

export function userRiskFrom(c: UserRiskCounts): RiskLevel {
  if (c.secondFactorFailures >= 10 || c.locks >= 3) return 'high';
  if (c.secondFactorFailures >= 3 || c.locks >= 1) return 'medium';
  if (c.passwordFailures >= 5) return 'low';
  return 'none';
}

export interface SigninRiskCounts {
  /** Failures from this address in the last hour, across all accounts (spraying). */
  addressFailures: number;
  /** Failures of this person from this address in the last hour. */
  userAddressFailures: number;
  /** The person signed in successfully before, but never from this address (last 90 days). */
  newAddress: boolean;
}

export function signInRiskFrom(c: SigninRiskCounts): RiskLevel {
  if (c.addressFailures >= 50) return 'high';
  if (c.addressFailures >= 10 || c.userAddressFailures >= 5) return 'medium';
  if (c.newAddress) return 'low';
  return 'none';
}
