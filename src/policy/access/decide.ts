import { evaluatePolicies, reportOnlyEntries } from '../evaluate.ts';
import {
  builtinStrength, CUSTOM_ACR_PREFIX, reachedStrength, strengthById, strengthForAcr, strengthSatisfied, toUses,
  type StrengthDefinition,
} from '../strengths.ts';
import { CAN_STEP_UP, type AccessConfig, type AccessDecision, type AccessRequest, type RefusalKind } from './request.ts';

/**
 * The access decision: a pure function of (configuration, request). It is the
 * only place that says whether access may be handed out, so a new surface adds
 * a caller, never a rule. In order:
 *   1. a disabled account gets nothing; a service account never signs in as a person; a person
 *      on a recovery hold gets in only with a Temporary Access Pass;
 *   2. conditional access (src/policy/evaluate.ts): an enforced policy that blocks refuses;
 *   3. what must be reached: the strengths enforced policies demand, phishing-resistant
 *      MFA for administrators while that setting is on, and what the app asked for (acr_values);
 *   4. sign-in frequency: methods proven longer ago than the shortest frequency no longer count, nor do
 *      any after the app sat unused longer than the shortest idle limit;
 *   5. what is still missing is a step-up where this grant point can ask for one, a refusal where not.
 */
export function decideAccess(config: AccessConfig, request: AccessRequest): AccessDecision {
  const { facts } = request;
  const evaluation = evaluatePolicies(config.set, facts, config.catalog);
  const { strengths, custom } = requirement(config, request, evaluation.requiredStrengths);
  const uses = toUses(facts.methodsUsed);
  const base = {
    required: strengths,
    requestedCustom: custom,
    reached: reachedStrength(uses, custom),
    session: evaluation.session,
    evaluation,
    reportOnly: reportOnlyEntries(evaluation),
  };
  const refuse = (refusal: RefusalKind, policy: { id: string; name: string } | null = null): AccessDecision => ({
    ...base,
    outcome: { kind: 'block', refusal, policy },
  });

  if (!request.active) return refuse('account_disabled');
  if (facts.user.kind === 'service' && request.via !== 'client_credentials') return refuse('service_account_interactive');
  // After a lost device took the last second factor, the password alone is no way back in: only a pass is.
  if (request.recoveryHold && !uses.some((u) => u.method === 'tap') && !facts.user.registeredMethods.some((m) => m !== 'password')) {
    return refuse('recovery_hold');
  }
  if (evaluation.blockedBy) {
    const by = { id: evaluation.blockedBy.policyId, name: evaluation.blockedBy.name };
    return refuse(evaluation.blockReason === 'compliant_device' ? 'device_not_compliant' : 'policy_blocked', by);
  }
  const staleBy = staleness(evaluation.session, request, facts.now);
  const stale = staleBy !== null;
  const missing = stale ? strengths : strengths.filter((s) => !strengthSatisfied(s, uses));
  if (!stale && missing.length === 0) return { ...base, outcome: { kind: 'allow' } };
  if (!CAN_STEP_UP.has(request.via)) return refuse(staleBy ?? 'strength_not_met');
  return { ...base, outcome: { kind: 'step_up', missing, reauthenticate: stale } };
}

/** Whether what was proven has gone stale: by the sign-in frequency, or by an idle limit. */
function staleness(
  session: AccessDecision['session'], request: AccessRequest, now: Date,
): 'sign_in_frequency' | 'idle_limit' | null {
  const hours = session.signInFrequencyHours;
  if (hours !== null && request.authTime !== null && now.getTime() - request.authTime.getTime() > hours * 3_600_000) return 'sign_in_frequency';
  const minutes = session.idleMinutes;
  if (minutes !== null && request.lastActiveAt && now.getTime() - request.lastActiveAt.getTime() > minutes * 60_000) return 'idle_limit';
  return null;
}

/** A strength id no longer defined can be satisfied by nothing: fail closed rather than drop it. */
function unknownStrength(id: string): StrengthDefinition {
  return { id, displayName: id, description: 'unknown strength', acr: `${CUSTOM_ACR_PREFIX}${id}`, builtin: false, combinations: [] };
}

/** Every strength the access must reach, each once, and the custom one the app asked for. */
function requirement(
  config: AccessConfig,
  request: AccessRequest,
  policyStrengths: readonly string[],
): { strengths: StrengthDefinition[]; custom: StrengthDefinition | null } {
  const out: StrengthDefinition[] = [];
  const add = (s: StrengthDefinition) => {
    if (!out.some((x) => x.id === s.id)) out.push(s);
  };
  if (request.facts.user.roles.length > 0 && config.webauthn.adminsRequirePhishingResistant) add(builtinStrength('phishing_resistant_mfa'));
  // Of the built-in acr values asked for, the strongest (an app cannot lower what policy demands).
  const asked = request.requestedAcr.map((a) => strengthForAcr(a)).filter((s): s is StrengthDefinition => !!s?.builtin);
  const strongest = asked.reduce<StrengthDefinition | null>((best, s) => (!best || rank(s) > rank(best) ? s : best), null);
  if (strongest) add(strongest);
  const wanted = request.requestedAcr.find((a) => a.startsWith(CUSTOM_ACR_PREFIX));
  const custom = wanted ? (strengthForAcr(wanted, config.customStrengths) ?? null) : null;
  if (custom) add(custom);
  for (const id of policyStrengths) add(strengthById(id, config.customStrengths) ?? unknownStrength(id));
  return { strengths: out, custom };
}

const LADDER = ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa'];
const rank = (s: StrengthDefinition) => LADDER.indexOf(s.id);
