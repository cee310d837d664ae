import type { AlertSeverity } from '../alerts.ts';

/**
 * What the detections look at and what they find. The detections themselves
 * are pure functions over these facts (gathered by gather.ts), so each can be
 * tested on a scripted sequence without a store.
 */
export interface LogFact {
  id: string;
  at: string;
  userId: string | null;
  /** "user:<id>", or for a name that matches no account "name:<hash of it, lower-cased>": unknown names count too (spraying). */
  account: string | null;
  username: string | null;
  ip: string | null;
  clientId: string | null;
  userAgent: string | null;
  result: 'success' | 'failure' | 'locked' | 'interrupted';
  reason: string;
}

export interface AuditFact {
  seq: number;
  at: string;
  actor: string;
  action: string;
  /** The user the entry is about ("user:<id>" targets), or null. */
  userId: string | null;
  after: Record<string, unknown> | null;
}

export type SignalLevel = 'low' | 'medium' | 'high';

/** The risk a finding adds: to the person (user risk) or to their, or an address's, sign-ins (sign-in risk). */
export type RiskEffect =
  | { scope: 'user'; level: SignalLevel; userId: string }
  | { scope: 'signin'; level: SignalLevel; userId: string | null; ips: string[] };

export interface Finding {
  kind: string;
  severity: AlertSeverity;
  /** What the alert is about, for deduplication: an account, an address, an app, or one event's id. */
  subject: string;
  /** Event findings (one audit entry) are raised once ever; the others once per dedupe window. */
  once?: boolean;
  userId: string | null;
  username: string | null;
  /** When what was found happened. */
  at: string;
  /** Shown with the alert; never a secret, a code or a pass. */
  evidence: Record<string, unknown>;
  risk: RiskEffect | null;
  /** Raised already where it happened (a push denied with "this wasn't me"): only its risk is added, ended with that alert. */
  raisedAs?: { alertId: string | null };
}

/** Failures that count as someone trying passwords (or names) on an account. */
export function isGuess(f: LogFact): boolean {
  return (f.result === 'failure' || f.result === 'locked') && /^(bad_password|unknown_user|password_)/.test(f.reason);
}

/** Sign-ins that really happened (not a refusal), from a browser or an app. */
export function isSuccess(f: LogFact): boolean {
  return f.result === 'success';
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const ms = (iso: string): number => new Date(iso).getTime();
