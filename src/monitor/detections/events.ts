import { PRIVILEGED_ROLES } from '../../directory/roles.ts';
import type { DetectionSettings } from './settings.ts';
import type { AuditFact, Finding, LogFact, SignalLevel } from './model.ts';

/**
 * Detections of one event each, from the audit log and the sign-in log:
 * an administrative role granted, a method added soon after a risky sign-in,
 * and a sign-in soon after the person said "this wasn't me".
 */

/** Audit actions that give an account a new way to sign in. */
export const METHOD_ADDED = /^method\.(totp|webauthn|push|sms|voice)\.add$|^method\.backup_codes\.generate$/;

export function detectAdminGrant(e: AuditFact, username: string | null): Finding | null {
  const role = typeof e.after?.role === 'string' ? e.after.role : null;
  if (e.action !== 'role.grant' || !role || !(PRIVILEGED_ROLES as readonly string[]).includes(role) || !e.userId) return null;
  return {
    kind: 'role.admin_granted', severity: 'high', subject: `audit:${e.seq}`, once: true, userId: e.userId, username, at: e.at,
    evidence: { role, grantedBy: e.actor, auditSeq: e.seq },
    // Not the grantee's fault: the alert asks a person to confirm the grant was meant; nobody's risk changes.
    risk: null,
  };
}

/** A sign-in before the method was added, and how risky it looked. */
export interface RiskySignin {
  signin: LogFact;
  level: SignalLevel;
  why: string;
}

export function detectMethodAfterRisky(e: AuditFact, username: string | null, risky: readonly RiskySignin[], s: DetectionSettings): Finding | null {
  if (!METHOD_ADDED.test(e.action) || !e.userId) return null;
  const worst = [...risky].sort((a, b) => rank(b.level) - rank(a.level))[0];
  if (!worst || rank(worst.level) < rank('medium')) return null;
  return {
    kind: 'method.added_after_risky_signin', severity: 'high', subject: e.userId, userId: e.userId, username, at: e.at,
    evidence: {
      method: e.action.split('.')[1], auditSeq: e.seq, addedBy: e.actor, withinMinutes: s.methodAfterRiskyMinutes,
      signin: { id: worst.signin.id, at: worst.signin.at, address: worst.signin.ip, risk: worst.level, why: worst.why },
    },
    // Whoever got in may be making it theirs for good.
    risk: { scope: 'user', level: 'high', userId: e.userId },
  };
}

/** A "this wasn't me" report: a confirmed link, or a push denied with "this wasn't me". */
export interface Report {
  at: string;
  how: 'link' | 'push';
}

export function detectSigninAfterReport(row: LogFact, reports: readonly Report[]): Finding | null {
  if (row.result !== 'success' || !row.userId) return null;
  const latest = reports.filter((r) => r.at <= row.at).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
  if (!latest) return null;
  return {
    kind: 'signin.after_report', severity: 'high', subject: row.userId, userId: row.userId, username: row.username, at: row.at,
    evidence: { signinId: row.id, address: row.ip, clientId: row.clientId, reportedAt: latest.at, reportedBy: latest.how },
    risk: { scope: 'user', level: 'high', userId: row.userId },
  };
}

const RANK: Record<SignalLevel | 'none', number> = { none: 0, low: 1, medium: 2, high: 3 };
export const rank = (level: SignalLevel | 'none'): number => RANK[level];
