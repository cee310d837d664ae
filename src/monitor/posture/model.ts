import type { AppCategory } from './categories.ts';
import type { StoredPolicy } from '../../policy/model.ts';

/**
 * The posture checklist: each row computed live from the system's own data by
 * a pure function over facts gathered once (facts.ts), with the figures behind
 * its verdict and, when it fails, what to do about it.
 */
export type Figure = number | string | boolean | string[];

export interface PostureRow {
  id: string;
  title: string;
  status: 'pass' | 'fail';
  figures: Record<string, Figure>;
  /** What to do; null when the row passes. */
  fix: string | null;
}

export interface AdminFact {
  username: string;
  /** The strongest standard strength the password and one other registered method reach. */
  level: 'phishing_resistant_mfa' | 'passwordless_mfa' | 'mfa' | 'none';
  methods: string[];
}

export interface AppFact {
  kind: 'oidc' | 'saml' | 'radius';
  /** What policies name it by: the OIDC client id, the SAML SP's name, radius:<name>. */
  appId: string;
  category: AppCategory;
}

/** What recovery knows (gathered in the recovery layer, above this one: src/recovery/posture.ts). */
export interface RecoveryFacts {
  tap: { reviewed: boolean; allowMultiUse: boolean; maxLifetimeMinutes: number };
  runbooks: { scenarios: readonly string[]; casesLast90Days: number };
  breakGlass: { testIntervalDays: number; accounts: string[]; overdue: string[]; missingCredentials: string[] };
}

export interface PostureFacts {
  now: Date;
  admins: AdminFact[];
  people: { total: number; phishingResistant: number };
  webauthnEnabled: boolean;
  apps: AppFact[];
  policies: readonly StoredPolicy[];
  /** Custom strengths that let a single kind of factor through (not MFA). */
  weakStrengths: string[];
  push: { enabled: boolean; users: number; acknowledged: number; requestsPerWindow: number; windowMinutes: number; failuresBeforeSuspend: number };
  restricted: { smsAllowAdmins: boolean; voiceAllowAdmins: boolean };
  serviceAccounts: Array<{ username: string; credentials: string[] }>;
  machineClients: Array<{ clientId: string; authMethod: string }>;
  exceptions: Array<{ id: string; policyName: string; subject: string; endsAt: string | null }>;
  recovery: RecoveryFacts;
}
