import type { AccessDecision, RefusalKind } from './request.ts';

/**
 * The sign-in log reason for each refusal: stable codes detections and reports
 * key on (the texts people read live with each surface).
 */
export const REFUSAL_LOG_REASON: Record<RefusalKind, string> = {
  account_disabled: 'user_disabled',
  service_account_interactive: 'service_account_interactive',
  recovery_hold: 'recovery_hold',
  policy_blocked: 'policy_blocked',
  device_not_compliant: 'policy_device_not_compliant',
  strength_not_met: 'strength_not_met',
  sign_in_frequency: 'sign_in_frequency_elapsed',
  idle_limit: 'idle_limit_elapsed',
};

/** The log reason of a decision that does not allow, or null when it allows. */
export function refusalReason(decision: AccessDecision): string | null {
  const o = decision.outcome;
  if (o.kind === 'allow') return null;
  if (o.kind === 'block') return REFUSAL_LOG_REASON[o.refusal];
  return o.reauthenticate ? REFUSAL_LOG_REASON.sign_in_frequency : REFUSAL_LOG_REASON.strength_not_met;
}

/** What the sign-in log keeps of a decision: every policy that applied, enforced and report-only (empty columns when none did). */
export function decisionForLog(decision: AccessDecision): { reportOnly?: AccessDecision['reportOnly']; policies?: EnforcedForLog[] } {
  const enforced = decision.evaluation.policies
    .filter((p) => p.applies && p.mode === 'enforced')
    .map((p) => ({ policyId: p.policyId, name: p.name, effect: p.effect ?? 'satisfied', ...(p.missing ? { missing: p.missing } : {}), ...(p.detail ? { detail: p.detail } : {}) }));
  return { reportOnly: reportOnlyForLog(decision), policies: enforced.length ? enforced : undefined };
}

export interface EnforcedForLog {
  policyId: string;
  name: string;
  effect: 'block' | 'satisfied' | 'unsatisfied';
  missing?: { strength?: string; compliantDevice?: boolean };
  detail?: string;
}

/** Report-only results for the sign-in log row: undefined when none applied, so the column stays empty. */
export function reportOnlyForLog(decision: AccessDecision): AccessDecision['reportOnly'] | undefined {
  return decision.reportOnly.length ? decision.reportOnly : undefined;
}
