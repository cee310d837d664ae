import { PORTAL_APP } from './document.ts';
import { evaluatePolicies } from './evaluate.ts';
import type { Decision, PolicySet, SigninFacts } from './model.ts';
import { builtinStrengths, type StrengthCatalog } from './strength-port.ts';

/**
 * Lockout (bootstrap-path) analysis: for each person, is there a way to satisfy
 * every enabled policy for the apps they use, with the methods they have plus
 * the bootstrap paths open to them (a Temporary Access Pass from the helpdesk,
 * a security key, a backup method)? Pure: the caller gathers the people.
 *
 * The search is a small fixpoint over what a person can gain, as the sign-in
 * engine allows it: signing in to the portal lets them register methods; a
 * person who proved MFA in a sign-in (a registered second factor, or a pass)
 * may register a method on the spot, and it counts in that sign-in; a first
 * registration after the password alone counts as the second factor but never
 * as phishing-resistant (a stolen password must not be enough to add a key
 * that satisfies a phishing-resistant policy); signing in to a device-enrolment
 * app makes a device compliant. Whatever cannot be reached that way is stranded.
 */
export interface LockoutSubject {
  id: string;
  username: string;
  kind: SigninFacts['user']['kind'];
  groups: readonly string[];
  roles: readonly string[];
  registeredMethods: readonly string[];
  /** Methods this person can be given without signing in (e.g. 'tap' issued by the helpdesk). */
  bootstrapMethods: readonly string[];
  hasCompliantDevice: boolean;
  userRisk: SigninFacts['userRisk'];
  /** Apps they sign in to (the portal is always checked). */
  apps: readonly string[];
}

export interface LockoutOptions {
  now: Date;
  /** Methods a person can register inside a sign-in or on the portal. */
  registrableMethods: readonly string[];
  /**
   * OIDC client ids of device-enrolment (MDM) apps: signing in there is how a
   * device becomes compliant. Empty: enrolment happens outside Tessera.
   */
  enrolmentApps: readonly string[];
  strengths?: StrengthCatalog;
}

export type LockoutFindingKind = 'stranded' | 'circular_enrolment' | 'needs_device_outside_tessera';

export interface LockoutFinding {
  kind: LockoutFindingKind;
  userId: string;
  username: string;
  breakGlass: boolean;
  globalAdmin: boolean;
  /** Apps this person cannot get into. */
  apps: string[];
  /** Policies that stand in the way. */
  policies: Array<{ policyId: string; name: string }>;
  message: string;
  /** What would fix it. */
  fix?: string;
}

export interface LockoutReport {
  checkedUsers: number;
  findings: LockoutFinding[];
  /** Stranded break-glass accounts (a change that strands any is refused). */
  strandedBreakGlass: string[];
  /** True when every active global admin is stranded (such a change is refused). */
  allGlobalAdminsStranded: boolean;
  strandedUsers: string[];
}

interface Scenario {
  ip: string | null;
  country: string | null;
}

/** One sign-in place per named location, and "elsewhere": a person only needs one way in. */
export function scenariosOf(set: PolicySet): Scenario[] {
  const out: Scenario[] = [{ ip: null, country: null }];
  for (const l of set.namedLocations) {
    const first = l.ipRanges?.[0];
    if (first) out.push({ ip: first.split('/')[0]!, country: null });
    for (const c of l.countries ?? []) out.push({ ip: null, country: c });
  }
  return out;
}

/** What a person can sign in with: registered methods, plus the bootstrap methods the helpdesk can hand them. */
interface State {
  methods: Set<string>;
  device: boolean;
}

/** A person's registered methods, kept apart from the passes they could be given: a pass on offer is not a registered factor. */
interface Gained {
  registered: Set<string>;
  bootstrap: ReadonlySet<string>;
  device: boolean;
}

const usable = (g: Gained, extra: readonly string[] = []): State => ({ methods: new Set([...g.registered, ...g.bootstrap, ...extra]), device: g.device });

/**
 * How a method registered after the password alone counts in that sign-in:
 * as a second factor of MFA strength (any possession factor), never as phishing-resistant.
 */
const FIRST_REGISTRATION_COUNTS_AS = 'totp';

function decide(set: PolicySet, s: LockoutSubject, app: string, sc: Scenario, st: State, o: LockoutOptions): Decision {
  return evaluatePolicies(
    set,
    {
      now: o.now,
      user: { id: s.id, username: s.username, kind: s.kind, groups: s.groups, roles: s.roles, registeredMethods: [...st.methods] },
      app,
      ip: sc.ip,
      country: sc.country,
      device: st.device ? { managed: true, compliant: true } : null,
      clientType: 'browser',
      signInRisk: 'none',
      userRisk: s.userRisk,
      methodsUsed: [...st.methods],
    },
    o.strengths ?? builtinStrengths,
  );
}

/** A way into the app from some place, with every method available used together (more methods never hurt). */
function reach(set: PolicySet, s: LockoutSubject, app: string, st: State, o: LockoutOptions, scenarios: Scenario[]): { ok: boolean; last: Decision } {
  let last!: Decision;
  for (const sc of scenarios) {
    last = decide(set, s, app, sc, st, o);
    if (last.outcome === 'allow') return { ok: true, last };
  }
  return { ok: false, last };
}

const SECOND_FACTORS_EXCLUDED = new Set(['password']);

function blockers(d: Decision): Array<{ policyId: string; name: string }> {
  return d.policies
    .filter((p) => p.mode === 'enforced' && p.applies && p.effect !== 'satisfied')
    .map((p) => ({ policyId: p.policyId, name: p.name }));
}

function explore(set: PolicySet, s: LockoutSubject, o: LockoutOptions, scenarios: Scenario[], apps: string[]): Gained {
  const g: Gained = { registered: new Set(s.registeredMethods), bootstrap: new Set(s.bootstrapMethods), device: s.hasCompliantDevice };
  for (let round = 0; round < 6; round++) {
    const before = `${g.registered.size}/${g.device}`;
    const now = usable(g);
    // Proving MFA takes a registered second factor or a pass; the engine then offers registration inside the sign-in.
    const mfaProven = builtinStrengths.satisfiedBy([...now.methods]).has('mfa');
    const hasSecond = [...g.registered].some((m) => !SECOND_FACTORS_EXCLUDED.has(m));
    const registersInside = (m: string) => {
      const counted = mfaProven ? m : FIRST_REGISTRATION_COUNTS_AS;
      return apps.some((a) => reach(set, s, a, usable(g, [counted]), o, scenarios).ok);
    };
    const canRegister =
      reach(set, s, PORTAL_APP, now, o, scenarios).ok || ((mfaProven || !hasSecond) && o.registrableMethods.some(registersInside));
    if (canRegister) for (const m of o.registrableMethods) g.registered.add(m);
    if (!g.device && o.enrolmentApps.some((a) => reach(set, s, a, usable(g), o, scenarios).ok)) g.device = true;
    if (`${g.registered.size}/${g.device}` === before) break;
  }
  return g;
}

export function analyseLockout(set: PolicySet, subjects: readonly LockoutSubject[], o: LockoutOptions): LockoutReport {
  const scenarios = scenariosOf(set);
  const findings: LockoutFinding[] = [];
  const stranded = new Set<string>();
  const strandedBreakGlass: string[] = [];
  let globalAdmins = 0;
  let strandedAdmins = 0;

  for (const s of subjects) {
    const apps = [...new Set([PORTAL_APP, ...s.apps])];
    const gained = explore(set, s, o, scenarios, apps);
    const st = usable(gained);
    const blocked: string[] = [];
    const policies = new Map<string, { policyId: string; name: string }>();
    for (const app of apps) {
      const r = reach(set, s, app, st, o, scenarios);
      if (!r.ok) {
        blocked.push(app);
        for (const b of blockers(r.last)) policies.set(b.policyId, b);
      }
    }
    const globalAdmin = s.roles.includes('global_admin');
    const breakGlass = s.kind === 'break_glass';
    if (globalAdmin) globalAdmins++;
    const base = { userId: s.id, username: s.username, breakGlass, globalAdmin };
    if (blocked.length === 0) continue;
    const list = [...policies.values()];
    // Would a compliant device open the way? Then the device is what is missing: is it reachable at all?
    const withDevice = { methods: st.methods, device: true };
    const deviceWouldHelp = !st.device && blocked.every((a) => reach(set, s, a, withDevice, o, scenarios).ok);
    if (!(deviceWouldHelp && o.enrolmentApps.length === 0)) {
      // Without a configured enrolment app a device may still enrol outside Tessera: a warning, not a lockout.
      stranded.add(s.id);
      if (breakGlass) strandedBreakGlass.push(s.username);
      if (globalAdmin) strandedAdmins++;
    }
    if (deviceWouldHelp && o.enrolmentApps.length > 0) {
      findings.push({
        ...base,
        kind: 'circular_enrolment',
        apps: blocked,
        policies: list,
        message:
          `${s.username} cannot register a method without a compliant device, and cannot make a device compliant ` +
          `(sign in to ${o.enrolmentApps.join(', ')}) without a registered method or a compliant device: a circular dependency.`,
        fix:
          `Exclude the device-enrolment app (${o.enrolmentApps.join(', ')}) from the compliant-device requirement of ` +
          `${list.map((p) => `"${p.name}"`).join(', ')}, and add an enrolment policy for that app that requires a strength ` +
          'a Temporary Access Pass satisfies (grant { "strength": "mfa" }) without a compliant device.',
      });
      continue;
    }
    if (deviceWouldHelp) {
      findings.push({
        ...base,
        kind: 'needs_device_outside_tessera',
        apps: blocked,
        policies: list,
        message: `${s.username} needs a compliant device first; no device-enrolment app is configured, so enrolment must happen outside Tessera.`,
        fix: 'Name the device-enrolment app (tessera policy settings --enrolment-app <client id>) so the check can follow the enrolment path.',
      });
      continue;
    }
    findings.push({
      ...base,
      kind: 'stranded',
      apps: blocked,
      policies: list,
      message:
        `${s.username} has no way to satisfy ${list.map((p) => `"${p.name}"`).join(', ')} for ${blocked.join(', ')} with their methods ` +
        `(${[...gained.registered].join(', ') || 'none'}) and bootstrap paths (${[...gained.bootstrap].join(', ') || 'none'}).`,
      fix: 'Register a method that satisfies the policy (issue a Temporary Access Pass or a security key), or narrow the policy.',
    });
  }
  return {
    checkedUsers: subjects.length,
    findings,
    strandedBreakGlass,
    allGlobalAdminsStranded: globalAdmins > 0 && strandedAdmins === globalAdmins,
    strandedUsers: [...stranded],
  };
}
