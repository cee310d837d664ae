import type { ClientType, NamedLocation, PolicyDocument, RiskLevel } from './document.ts';
import type { MethodUseLike } from './strength-port.ts';

/**
 * What evaluation takes and returns. Pure data: the store-backed parts load
 * these, the sign-in, what-if and lockout analysis all evaluate the same way.
 */

/** A policy as stored: its id and its document. */
export interface StoredPolicy {
  id: string;
  document: PolicyDocument;
}

/** An approved exclusion of a person or a group from one policy, for a limited time. */
export interface PolicyException {
  id: string;
  policyId: string;
  subjectKind: 'user' | 'group';
  /** Username or group name. */
  subject: string;
  startsAt: string;
  /** The exception applies up to and including this instant, never after. */
  endsAt: string;
}

export interface PolicySet {
  policies: readonly StoredPolicy[];
  namedLocations: readonly NamedLocation[];
  /** Approved exceptions; evaluation itself checks their time window. */
  exceptions: readonly PolicyException[];
}

export interface DeviceFacts {
  id?: string | null;
  managed: boolean;
  compliant: boolean;
}

/** Everything known about one sign-in (or a what-if question). */
export interface SigninFacts {
  /** The time the decision is for; exceptions and enforcement dates compare against it. */
  now: Date;
  user: {
    id: string;
    username: string;
    kind: 'person' | 'service' | 'break_glass';
    /** Group names. */
    groups: readonly string[];
    roles: readonly string[];
    /** Methods the user has registered (password, totp, webauthn, …). */
    registeredMethods: readonly string[];
  };
  /** OIDC client id, or PORTAL_APP. */
  app: string;
  ip: string | null;
  /** ISO 3166-1 alpha-2 country of the address, when the GeoIP database knows it. */
  country: string | null;
  device: DeviceFacts | null;
  clientType: ClientType;
  signInRisk: RiskLevel;
  userRisk: RiskLevel;
  /** Methods verified so far in this sign-in (with their WebAuthn properties, when known). */
  methodsUsed: readonly MethodUseLike[];
}

/** Stable codes for why a policy applied or not; reports and tests key on them. */
export const REASONS = [
  'applied',
  'disabled',
  'not_targeted',
  'role_excluded',
  'excepted',
  'app_not_included',
  'app_excluded',
  'location_not_included',
  'location_excluded',
  'client_type_not_included',
  'device_not_matched',
  'sign_in_risk_not_matched',
  'user_risk_not_matched',
  'no_registered_method',
] as const;
export type ReasonCode = (typeof REASONS)[number];

export type PolicyMode = 'enforced' | 'reportOnly' | 'disabled';

/** What an applying policy does to this sign-in. */
export type PolicyEffect = 'block' | 'satisfied' | 'unsatisfied';

export interface PolicyResult {
  policyId: string;
  name: string;
  mode: PolicyMode;
  applies: boolean;
  reason: ReasonCode;
  /** Words for people: which exception, which location, when enforcement starts. */
  detail?: string;
  effect?: PolicyEffect;
  /** With effect 'unsatisfied': what is still missing. */
  missing?: { strength?: string; compliantDevice?: boolean };
}

export type Outcome = 'allow' | 'challenge' | 'block';

export interface Decision {
  /** allow: every enforced policy is satisfied; challenge: more is needed; block: refused. */
  outcome: Outcome;
  /** policy: a policy blocks; compliant_device: a required compliant device is missing, which no factor can supply. */
  blockReason: 'policy' | 'compliant_device' | null;
  /** The enforced policy that blocks (the first, in the order given). */
  blockedBy: { policyId: string; name: string } | null;
  /** Strengths every enforced applying policy together asks for. */
  requiredStrengths: string[];
  /** Of those, the ones the methods used so far do not satisfy yet. */
  missingStrengths: string[];
  session: { signInFrequencyHours: number | null; idleMinutes: number | null; persistent: boolean };
  /** Every policy, in the order given, with why it applied or not. */
  policies: PolicyResult[];
}

/** What report-only policies would have done, as stored with the sign-in log row. */
export interface ReportOnlyEntry {
  policyId: string;
  name: string;
  wouldBe: PolicyEffect;
  missing?: { strength?: string; compliantDevice?: boolean };
}
