import { compilePolicySet, type CompiledPolicy, type CompiledSet } from './compile.ts';
import { normalizeIp, type NormalizedIp } from './ip-ranges.ts';
import { normalizedGroups, type AddressGroups } from './ip-match.ts';
import {
  REASONS, type Decision, type PolicyEffect, type PolicyMode, type PolicyResult, type PolicySet, type ReasonCode,
  type ReportOnlyEntry, type SigninFacts,
} from './model.ts';
import { builtinStrengths, type StrengthCatalog } from './strength-port.ts';

/**
 * Conditional access: a pure function of (policies, facts). Every enforced
 * policy that applies must be satisfied; any one that blocks refuses the
 * sign-in; report-only policies are evaluated the same way but only reported.
 * For every policy the result says why it applied or not. No I/O, no store,
 * no HTTP: the sign-in, what-if and lockout analysis all call this.
 */

/*
 * The compiled forms of the last few sets, by identity, newest first. A
 * process decides with its current set, plus the odd proposed set of a
 * what-if or lockout check. A WeakMap kept every compiled set alive through
 * young-generation collections (its values are ephemerons, freed only by a
 * full collection), so a burst of changes promoted them all to the old
 * generation and the first decision after a change paid for long pauses.
 */
const RECENT = 4;
const recent: { set: PolicySet; compiled: CompiledSet }[] = [];

/** The compiled form of a set, built once per set object while it stays among the recent ones. */
export function compiledSet(set: PolicySet): CompiledSet {
  const at = recent.findIndex((r) => r.set === set);
  if (at === 0) return recent[0]!.compiled;
  const entry = at > 0 ? recent.splice(at, 1)[0]! : { set, compiled: compilePolicySet(set) };
  recent.unshift(entry);
  if (recent.length > RECENT) recent.pop();
  return entry.compiled;
}

interface Context {
  set: CompiledSet;
  facts: SigninFacts;
  now: number;
  username: string;
  groups: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  ip: NormalizedIp | null;
  /** The address as range matching reads it, worked out when a location with IP ranges first asks. */
  ipGroups: AddressGroups | undefined;
  /** Per named location: 0 not computed yet, 1 inside, 2 outside. */
  inside: Uint8Array;
}

function insideLocation(cx: Context, index: number): boolean {
  if (index < 0) return false;
  let v = cx.inside[index]!;
  if (v === 0) {
    const loc = cx.set.locations[index]!;
    const hit =
      (loc.ip !== null && cx.ip !== null && loc.ip.contains((cx.ipGroups ??= normalizedGroups(cx.ip)))) ||
      (loc.countries !== null && cx.facts.country !== null && loc.countries.has(cx.facts.country));
    v = hit ? 1 : 2;
    cx.inside[index] = v;
  }
  return v === 1;
}

interface Miss {
  reason: ReasonCode;
  detail: string | undefined;
}

// Shared answers, so evaluating 200 policies allocates little more than the results.
const MISS: Record<ReasonCode, Miss> = Object.fromEntries(
  REASONS.map((r) => [r, Object.freeze({ reason: r, detail: undefined })]),
) as Record<ReasonCode, Miss>;

/** For a policy whose assignments include the person (see candidates): excluded by role, or excepted? */
function excluded(p: CompiledPolicy, cx: Context): Miss | null {
  for (const r of cx.roles) if (p.rolesOut.has(r)) return { reason: 'role_excluded', detail: r };
  for (const e of p.exceptions) {
    if (cx.now < e.startsAt || cx.now > e.endsAt) continue;
    if ((e.kind === 'user' && e.subject === cx.username) || (e.kind === 'group' && cx.groups.has(e.subject))) {
      return { reason: 'excepted', detail: e.detail };
    }
  }
  return null;
}

function insideAny(cx: Context, indexes: readonly number[]): number {
  for (let i = 0; i < indexes.length; i++) if (insideLocation(cx, indexes[i]!)) return indexes[i]!;
  return -1;
}

function conditionsMiss(p: CompiledPolicy, cx: Context): Miss | null {
  const f = cx.facts;
  if (!p.allApps && !p.appsIn.has(f.app)) return MISS.app_not_included;
  if (p.appsOut.has(f.app)) return MISS.app_excluded;
  if (p.locationsIn !== null && insideAny(cx, p.locationsIn) < 0) return MISS.location_not_included;
  if (p.locationsOut.length) {
    const at = insideAny(cx, p.locationsOut);
    if (at >= 0) return { reason: 'location_excluded', detail: cx.set.locations[at]!.insideDetail };
  }
  if (p.clientTypes !== null && !p.clientTypes.has(f.clientType)) return MISS.client_type_not_included;
  // A policy written for people does not silently reach machine access: a service is targeted only by name.
  if (p.clientTypes === null && f.clientType === 'service') return MISS.client_type_not_included;
  if (p.device !== null) {
    const managed = f.device?.managed ?? false;
    const compliant = f.device?.compliant ?? false;
    if ((p.device.managed !== undefined && p.device.managed !== managed) || (p.device.compliant !== undefined && p.device.compliant !== compliant)) {
      return MISS.device_not_matched;
    }
  }
  if (p.signInRisk !== null && !p.signInRisk.has(f.signInRisk)) return MISS.sign_in_risk_not_matched;
  if (p.userRisk !== null && !p.userRisk.has(f.userRisk)) return MISS.user_risk_not_matched;
  if (p.registeredAnyOf !== null) {
    const registered = f.user.registeredMethods;
    let any = false;
    for (const m of p.registeredAnyOf) if (registered.includes(m)) { any = true; break; }
    if (!any) return MISS.no_registered_method;
  }
  return null;
}

const MODE_SLOT: Record<Exclude<PolicyMode, 'disabled'>, number> = { reportOnly: 0, enforced: 1 };

function notTargetedResult(p: CompiledPolicy, mode: Exclude<PolicyMode, 'disabled'>, detail: string | undefined): PolicyResult {
  const slot = MODE_SLOT[mode];
  let r = p.notTargeted[slot];
  if (!r) {
    r = Object.freeze({ policyId: p.id, name: p.name, mode, applies: false, reason: 'not_targeted', detail, effect: undefined, missing: undefined });
    p.notTargeted[slot] = r;
  }
  return r;
}

/** Marks the policies whose assignments name this person, one of their groups or roles, or everyone. */
function candidates(cs: CompiledSet, cx: Context): Uint8Array {
  const marks = new Uint8Array(cs.policies.length);
  const mark = (list: readonly number[] | undefined) => {
    if (list) for (let i = 0; i < list.length; i++) marks[list[i]!] = 1;
  };
  mark(cs.targets.everyone);
  mark(cs.targets.byUser.get(cx.username));
  for (const g of cx.groups) mark(cs.targets.byGroup.get(g));
  for (const r of cx.roles) mark(cs.targets.byRole.get(r));
  return marks;
}

function modeOf(p: CompiledPolicy, now: number): PolicyMode {
  if (p.state === 'disabled') return 'disabled';
  if (p.state === 'reportOnly') return 'reportOnly';
  return p.enforceFrom !== null && now < p.enforceFrom ? 'reportOnly' : 'enforced';
}

export function evaluatePolicies(set: PolicySet, facts: SigninFacts, strengths: StrengthCatalog = builtinStrengths): Decision {
  const cs = compiledSet(set);
  const cx: Context = {
    set: cs,
    facts,
    now: facts.now.getTime(),
    username: facts.user.username.toLowerCase(),
    groups: new Set(facts.user.groups.map((g) => g.toLowerCase())),
    roles: new Set(facts.user.roles),
    ip: normalizeIp(facts.ip),
    ipGroups: undefined,
    inside: new Uint8Array(cs.locations.length),
  };
  const satisfied = strengths.satisfiedBy(facts.methodsUsed);
  const compliant = facts.device?.compliant === true;
  const required: string[] = [];
  let blockedBy: Decision['blockedBy'] = null;
  let blockReason: Decision['blockReason'] = null;
  let frequency: number | null = null;
  let idle: number | null = null;
  let persistent = true;
  const results: PolicyResult[] = new Array(cs.policies.length);
  const targetedAtAll = candidates(cs, cx);

  for (let i = 0; i < cs.policies.length; i++) {
    const p = cs.policies[i]!;
    const mode = modeOf(p, cx.now);
    // A scheduled policy that still only reports says from when it will enforce.
    const modeDetail = mode === 'reportOnly' ? p.scheduledDetail : undefined;
    if (mode === 'disabled') {
      results[i] = { policyId: p.id, name: p.name, mode, applies: false, reason: 'disabled', detail: undefined, effect: undefined, missing: undefined };
      continue;
    }
    // A policy whose assignments do not name the person cannot apply: the shared answer, no checks.
    if (targetedAtAll[i] === 0) {
      results[i] = notTargetedResult(p, mode, modeDetail);
      continue;
    }
    const miss = excluded(p, cx) ?? conditionsMiss(p, cx);
    if (miss) {
      results[i] = { policyId: p.id, name: p.name, mode, applies: false, reason: miss.reason, detail: miss.detail ?? modeDetail, effect: undefined, missing: undefined };
      continue;
    }
    // The policy applies: what does its grant make of this sign-in?
    let effect: PolicyEffect;
    let missing: PolicyResult['missing'] = undefined;
    let needStrength: string | null = null;
    const g = p.grant;
    if (g === null) {
      effect = 'satisfied';
    } else if ('block' in g) {
      effect = 'block';
    } else {
      const strengthOk = g.strength === undefined || satisfied.has(g.strength);
      const deviceOk = g.compliantDevice !== true || compliant;
      if (g.operator === 'any' && g.strength !== undefined && g.compliantDevice === true) {
        // Either control will do; a compliant device settles it, otherwise the strength is what can still be reached.
        effect = deviceOk || strengthOk ? 'satisfied' : 'unsatisfied';
        if (!deviceOk) needStrength = g.strength;
        if (effect === 'unsatisfied') missing = { strength: g.strength };
      } else {
        effect = strengthOk && deviceOk ? 'satisfied' : 'unsatisfied';
        needStrength = g.strength ?? null;
        if (effect === 'unsatisfied') {
          missing = {};
          if (!strengthOk) missing.strength = g.strength;
          if (!deviceOk) missing.compliantDevice = true;
        }
      }
    }
    results[i] = { policyId: p.id, name: p.name, mode, applies: true, reason: 'applied', detail: modeDetail, effect, missing };
    if (mode !== 'enforced') continue;
    if (effect === 'block') {
      if (!blockedBy) {
        blockedBy = { policyId: p.id, name: p.name };
        blockReason = 'policy';
      }
      continue;
    }
    if (missing?.compliantDevice && !blockedBy) {
      // No factor verified in this sign-in can make the device compliant.
      blockedBy = { policyId: p.id, name: p.name };
      blockReason = 'compliant_device';
    }
    if (needStrength !== null && !required.includes(needStrength)) required.push(needStrength);
    if (p.frequencyHours !== null) frequency = frequency === null ? p.frequencyHours : Math.min(frequency, p.frequencyHours);
    if (p.idleMinutes !== null) idle = idle === null ? p.idleMinutes : Math.min(idle, p.idleMinutes);
    if (p.nonPersistent) persistent = false;
  }

  const missingStrengths = required.filter((s) => !satisfied.has(s));
  return {
    outcome: blockedBy ? 'block' : missingStrengths.length ? 'challenge' : 'allow',
    blockReason,
    blockedBy,
    requiredStrengths: required,
    missingStrengths,
    session: { signInFrequencyHours: frequency, idleMinutes: idle, persistent },
    policies: results,
  };
}

/** What the report-only policies that applied would have done: the JSON kept with the sign-in log row. */
export function reportOnlyEntries(decision: Decision): ReportOnlyEntry[] {
  const out: ReportOnlyEntry[] = [];
  for (const r of decision.policies) {
    if (r.mode !== 'reportOnly' || !r.applies || !r.effect) continue;
    out.push(r.missing ? { policyId: r.policyId, name: r.name, wouldBe: r.effect, missing: r.missing } : { policyId: r.policyId, name: r.name, wouldBe: r.effect });
  }
  return out;
}
