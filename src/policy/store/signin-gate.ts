import type { Db, Tx } from '../../store/store.ts';
import { evaluatePolicies, reportOnlyEntries } from '../evaluate.ts';
import type { Decision, ReportOnlyEntry } from '../model.ts';
import type { MethodUseLike, StrengthCatalog } from '../strength-port.ts';
import { gatherFacts, type FactsInput, type KnownSubject } from './facts.ts';
import type { ConfigSnapshot } from './config-snapshot.ts';
import { loadPolicySet } from './policies.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import { signinDevice } from './device-binding.ts';

/**
 * Conditional access as the sign-in engine asks it: what must this sign-in
 * reach now (the strengths every enforced policy demands), is it refused, and
 * what would the report-only policies have done (kept with the sign-in log
 * row, never changing the outcome).
 */
export interface SigninGateInput {
  userId: string;
  /** OIDC client id; null for the account portal. */
  clientId: string | null;
  ip: string | null;
  methodsUsed: readonly MethodUseLike[];
  /** The device, when known; otherwise the one the transaction presented a device token from. */
  deviceId?: string | null;
  transactionId?: string;
  clientType?: FactsInput['clientType'];
  now?: Date;
  /** The catalogue with the organisation's custom strengths; the standard ones when absent. */
  strengths?: StrengthCatalog;
  /** The person as the engine already loaded them in this step. */
  subject?: KnownSubject;
  /** The configuration the engine already holds for this step. */
  config?: ConfigSnapshot;
}

export interface SigninGate {
  decision: Decision;
  /** Strength ids the enforced policies demand (all of them must be satisfied). */
  strengths: string[];
  /** Of those, the ones the methods used so far do not satisfy. */
  missing: string[];
  block: { reason: 'policy' | 'compliant_device'; policyId: string; policyName: string } | null;
  reportOnly: ReportOnlyEntry[];
}

export async function evaluateSigninPolicies(db: Db | Tx, input: SigninGateInput): Promise<SigninGate | null> {
  const now = input.now ?? new Date();
  const set = input.config?.set ?? (await loadPolicySet(db, now));
  const deviceId = input.deviceId ?? (input.transactionId ? await signinDevice(db, input.transactionId) : null);
  const facts = await gatherFacts(db, set, {
    userId: input.userId, app: input.clientId, ip: input.ip, deviceId,
    clientType: input.clientType, methodsUsed: input.methodsUsed, now, subject: input.subject, riskOnlyWhenUsed: true,
  });
  if (!facts) return null;
  const decision = evaluatePolicies(set, facts, input.strengths ?? input.config?.catalog ?? (await loadActiveStrengths(db)));
  return {
    decision,
    strengths: decision.requiredStrengths,
    missing: decision.missingStrengths,
    block: decision.blockedBy && decision.blockReason
      ? { reason: decision.blockReason, policyId: decision.blockedBy.policyId, policyName: decision.blockedBy.name }
      : null,
    reportOnly: reportOnlyEntries(decision),
  };
}

/** What the blocked page tells the person: which rule, and what they can do. */
export function blockMessage(block: NonNullable<SigninGate['block']>): string {
  return block.reason === 'compliant_device'
    ? `This app can only be used from a device your organisation manages and reports compliant ("${block.policyName}"). Sign in from such a device, or ask your helpdesk.`
    : `Your organisation's access policy "${block.policyName}" does not allow this sign-in. If you think this is wrong, contact your helpdesk.`;
}

/** The sign-in log reason for a refusal by conditional access. */
export function blockLogReason(block: NonNullable<SigninGate['block']>): string {
  return block.reason === 'compliant_device' ? 'policy_device_not_compliant' : 'policy_blocked';
}

/**
 * What the report-only policies would have done with a finished (or refused)
 * sign-in, for the sign-in log row; undefined when none applied, so the
 * column stays empty. Never changes the outcome.
 */
export async function reportOnlyForSignin(db: Db | Tx, input: SigninGateInput): Promise<ReportOnlyEntry[] | undefined> {
  const gate = await evaluateSigninPolicies(db, input);
  return gate && gate.reportOnly.length ? gate.reportOnly : undefined;
}
