/**
 * What every authentication method says about itself. The sign-in engine and
 * the policy read these descriptions instead of hard-coding per-method rules.
 */
export const METHOD_TYPES = ['password', 'totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice', 'tap'] as const;
export type MethodType = (typeof METHOD_TYPES)[number];

/** NIST's three kinds: something you know, have, are. */
export type Factor = 'knowledge' | 'possession' | 'inherence';

/** Authentication Method Reference values registered by RFC 8176. */
export type Amr =
  | 'face' | 'fpt' | 'geo' | 'hwk' | 'iris' | 'kba' | 'mca' | 'mfa' | 'otp' | 'pin'
  | 'pop' | 'pwd' | 'rba' | 'retina' | 'sc' | 'sms' | 'swk' | 'tel' | 'user' | 'vbm' | 'wia';

export interface MethodDescription {
  type: MethodType;
  factor: Factor;
  /** Bound to the origin, so a look-alike site cannot relay it (FIDO2 / WebAuthn only). */
  phishingResistant: boolean;
  /** Allowed only where the methods policy says so, never for administrators (SMS, voice). */
  restricted: boolean;
  /** RFC 8176 values a successful use contributes to the token's `amr`. */
  amr: readonly Amr[];
}

const describe = (d: MethodDescription): MethodDescription => Object.freeze({ ...d, amr: Object.freeze([...d.amr]) });

export const METHODS: Readonly<Record<MethodType, MethodDescription>> = Object.freeze({
  password: describe({ type: 'password', factor: 'knowledge', phishingResistant: false, restricted: false, amr: ['pwd'] }),
  totp: describe({ type: 'totp', factor: 'possession', phishingResistant: false, restricted: false, amr: ['otp'] }),
  // NIST 800-63B counts look-up secrets as something you have: the printed sheet.
  backup_code: describe({ type: 'backup_code', factor: 'possession', phishingResistant: false, restricted: false, amr: ['otp'] }),
  // The WebAuthn module may add 'user'/'pin'/'fpt' per assertion when the authenticator verified the user,
  // and report 'swk' instead of 'hwk' for synced passkeys.
  webauthn: describe({ type: 'webauthn', factor: 'possession', phishingResistant: true, restricted: false, amr: ['hwk', 'pop'] }),
  push: describe({ type: 'push', factor: 'possession', phishingResistant: false, restricted: false, amr: ['swk', 'pop'] }),
  sms: describe({ type: 'sms', factor: 'possession', phishingResistant: false, restricted: true, amr: ['sms', 'otp'] }),
  voice: describe({ type: 'voice', factor: 'possession', phishingResistant: false, restricted: true, amr: ['tel', 'otp'] }),
  // A Temporary Access Pass is a time-limited passcode handed over by the helpdesk after verifying the person.
  tap: describe({ type: 'tap', factor: 'knowledge', phishingResistant: false, restricted: false, amr: ['otp'] }),
});

export function isMethodType(value: string): value is MethodType {
  return (METHOD_TYPES as readonly string[]).includes(value);
}

export function describeMethod(type: MethodType): MethodDescription {
  return METHODS[type];
}

/**
 * The `amr` for a sign-in that used these methods: their values, plus 'mfa'
 * when at least two different factor kinds were used (RFC 8176 §2).
 */
export function amrFor(used: readonly MethodType[]): Amr[] {
  const values = new Set<Amr>();
  const factors = new Set<Factor>();
  for (const type of used) {
    for (const v of METHODS[type].amr) values.add(v);
    factors.add(METHODS[type].factor);
  }
  if (factors.size >= 2) values.add('mfa');
  return [...values].sort();
}

/** Why a verification was refused. 'locked' covers every throttle refusal; `throttle` says which. */
export type VerifyFailureReason = 'invalid' | 'replayed' | 'locked' | 'not_registered';

/** What every verify* function returns, so the engine handles all methods alike. */
export type VerifyResult =
  | { ok: true; credentialId: string }
  | {
      ok: false;
      reason: VerifyFailureReason;
      /** With 'locked': when to try again; null means until an administrator unlocks the factor. */
      retryAfterMs?: number | null;
      /** With 'locked': which limit refused the attempt. */
      throttle?: 'delay' | 'locked' | 'ip_limited';
      /** This failure locked the factor: the caller writes that to the sign-in log. */
      justLocked?: boolean;
    };

/** Options every verification accepts: the client address for per-IP limits, and the time (tests inject it). */
export interface VerifyOptions {
  ip?: string;
  now?: Date;
}
