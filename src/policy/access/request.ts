import type { Decision, PolicySet, ReportOnlyEntry, SigninFacts } from '../model.ts';
import type { StrengthCatalog } from '../strength-port.ts';
import type { MethodUse, StrengthDefinition } from '../strengths.ts';

/**
 * What the one access decision takes and gives. Every place that hands out
 * access (a new sign-in, reuse of a live session, a refresh token, a
 * client-credentials token, later RADIUS and SAML) builds an AccessRequest
 * from its own facts and asks decideAccess; none decides on its own.
 */

/** Where access is being handed out: says what can still be done when more is needed. */
export const GRANT_POINTS = ['signin', 'session', 'refresh', 'client_credentials', 'radius', 'saml'] as const;
export type GrantPoint = (typeof GRANT_POINTS)[number];

/** Grant points that can send a person to the sign-in pages for more; the others can only refuse. */
export const CAN_STEP_UP: ReadonlySet<GrantPoint> = new Set(['signin', 'session', 'radius', 'saml']);

/** The configuration the decision reads: one snapshot, taken once per request. */
export interface AccessConfig {
  set: PolicySet;
  catalog: StrengthCatalog;
  customStrengths: readonly StrengthDefinition[];
  /** The WebAuthn setting "administrators must use phishing-resistant MFA". */
  webauthn: { adminsRequirePhishingResistant: boolean };
}

export interface AccessRequest {
  via: GrantPoint;
  /** Conditional-access facts: the person (or the service), app, client type, address, device, risk, methods proven. */
  facts: SigninFacts;
  /** Whether the person's account is active; a disabled one gets nothing anywhere. */
  active: boolean;
  /** acr values the app asked for (acr_values), most preferred first. */
  requestedAcr: readonly string[];
  /** When the methods were proven (a session's or refresh token's authentication time); null: in this request. */
  authTime: Date | null;
  /**
   * When the person last used the app this access is for (a console session's last request); null where
   * the grant point does not track it. A policy's idle limit counts from here.
   */
  lastActiveAt?: Date | null;
  /** The person is on a recovery hold (their last second factor was taken away with a lost device). */
  recoveryHold?: boolean;
}

/** Why access is refused; each maps to one sign-in log reason and one plain-language text per surface. */
export type RefusalKind =
  | 'account_disabled'
  | 'service_account_interactive'
  /** The person lost their last second factor: only a Temporary Access Pass gets them in. */
  | 'recovery_hold'
  | 'policy_blocked'
  | 'device_not_compliant'
  /** More is needed but this grant point cannot ask for it (a refresh, a service token). */
  | 'strength_not_met'
  | 'sign_in_frequency'
  /** The session sat unused longer than a policy's idle limit. */
  | 'idle_limit';

export type AccessOutcome =
  | { kind: 'allow' }
  | { kind: 'block'; refusal: RefusalKind; policy: { id: string; name: string } | null }
  /** reauthenticate: the methods proven are too old for the sign-in frequency; everything is asked again. */
  | { kind: 'step_up'; missing: readonly StrengthDefinition[]; reauthenticate: boolean };

export interface AccessDecision {
  outcome: AccessOutcome;
  /** Every strength this access must reach (all of them). */
  required: readonly StrengthDefinition[];
  /** The custom strength the app asked for by its acr, when it exists. */
  requestedCustom: StrengthDefinition | null;
  /** What the methods proven reach: the acr tokens carry and the strength behind it. */
  reached: { acr: string; strength: string | null };
  session: { signInFrequencyHours: number | null; idleMinutes: number | null; persistent: boolean };
  /** Conditional access with a reason per policy. */
  evaluation: Decision;
  /** What report-only policies would have done; recorded, never changes the outcome. */
  reportOnly: readonly ReportOnlyEntry[];
}

export type { MethodUse };
