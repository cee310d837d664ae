import { amrFor as methodAmr, isMethodType } from '../methods/method.ts';

/**
 * Authentication context classes, weakest first, and the RFC 8176 amr values
 * a set of verified methods yields. Pure: no I/O.
 */
export const ACR = {
  pwd: 'urn:tessera:acr:pwd',
  mfa: 'urn:tessera:acr:mfa',
  passwordless: 'urn:tessera:acr:passwordless-mfa',
  phishingResistant: 'urn:tessera:acr:phishing-resistant',
} as const;
export type Acr = (typeof ACR)[keyof typeof ACR];

const ORDER: readonly string[] = [ACR.pwd, ACR.mfa, ACR.passwordless, ACR.phishingResistant];

export function isAcr(value: string): value is Acr {
  return ORDER.includes(value);
}

export function acrRank(acr: string): number {
  return ORDER.indexOf(acr);
}

export function acrSatisfies(reached: string, required: string): boolean {
  const r = acrRank(reached);
  return r >= 0 && r >= acrRank(required);
}

/** RFC 8176 amr of the methods verified so far (unknown names are ignored). */
export function amrFor(methods: readonly string[]): string[] {
  return methodAmr(methods.filter(isMethodType));
}

/** The strongest acr the verified methods reach. */
export function acrFor(methods: readonly string[]): Acr {
  // A Temporary Access Pass is issued after the helpdesk verified the person: MFA strength, never phishing-resistant.
  if (methods.includes('tap')) return ACR.mfa;
  return amrFor(methods).includes('mfa') ? ACR.mfa : ACR.pwd;
}

export interface RequirementFacts {
  /** Holds any administrative role. */
  isAdmin: boolean;
  /** Has at least one active second factor registered. */
  hasSecondFactor: boolean;
  /** acr_values the app asked for, most preferred first. */
  requestedAcr?: readonly string[];
  /** The WebAuthn setting "admins require phishing-resistant MFA" (on by default). */
  adminRequiresPhishingResistant?: boolean;
}

/**
 * What this sign-in must reach. Until conditional access decides it, MFA is
 * required for every admin and every user who has a second factor (so that
 * registering one is never a downgrade), and for any app that asks for it.
 */
export function requiredAcr(facts: RequirementFacts): { acr: Acr; reason: string } {
  const requested = (facts.requestedAcr ?? []).filter(isAcr);
  const strongestRequested = requested.reduce<Acr | undefined>(
    (best, a) => (best === undefined || acrRank(a) > acrRank(best) ? a : best),
    undefined,
  );
  let result: { acr: Acr; reason: string } = { acr: ACR.pwd, reason: 'password_only_user' };
  if (facts.hasSecondFactor) result = { acr: ACR.mfa, reason: 'user_has_second_factor' };
  if (facts.isAdmin) {
    result = facts.adminRequiresPhishingResistant
      ? { acr: ACR.phishingResistant, reason: 'admin_requires_phishing_resistant' }
      : { acr: ACR.mfa, reason: 'admin_requires_mfa' };
  }
  if (strongestRequested && acrRank(strongestRequested) > acrRank(result.acr)) {
    result = { acr: strongestRequested, reason: 'requested_by_app' };
  }
  return result;
}
