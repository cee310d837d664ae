import { METHODS, isMethodType, type Factor } from '../methods/method.ts';

/**
 * What policy evaluation needs from authentication strengths: which strength
 * ids a set of methods used together satisfies. The strengths module
 * (./strengths.ts) owns the real catalogue, custom strengths included; this
 * small interface keeps evaluation independent of how it is built, and the
 * built-in catalogue below answers for the three standard strengths when no
 * other is given. Pure: no I/O.
 */
/** A verified method, by name or with the properties a WebAuthn assertion reports. */
export type MethodUseLike =
  | string
  | { method: string; userVerified?: boolean; backupEligible?: boolean; backedUp?: boolean; aaguid?: string | null };

export function methodName(m: MethodUseLike): string {
  return typeof m === 'string' ? m : m.method;
}

export interface StrengthCatalog {
  /** Whether a strength with this id exists. */
  has(id: string): boolean;
  /** The strength ids that these methods, used together in one sign-in, satisfy. */
  satisfiedBy(methods: readonly MethodUseLike[]): ReadonlySet<string>;
}

export const STANDARD_STRENGTHS = ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa'] as const;

/**
 * The standard strengths: mfa = two kinds of factor (or a Temporary Access
 * Pass, which the helpdesk issues only after verifying the person);
 * passwordless and phishing-resistant = a WebAuthn credential (security key or passkey).
 */
export const builtinStrengths: StrengthCatalog = {
  has: (id) => (STANDARD_STRENGTHS as readonly string[]).includes(id),
  satisfiedBy(uses) {
    const methods = uses.map(methodName);
    const out = new Set<string>();
    const factors = new Set<Factor>();
    for (const m of methods) if (isMethodType(m)) factors.add(METHODS[m].factor);
    if (factors.size >= 2 || methods.includes('tap')) out.add('mfa');
    if (methods.includes('webauthn')) {
      out.add('mfa');
      out.add('passwordless_mfa');
      out.add('phishing_resistant_mfa');
    }
    return out;
  },
};
