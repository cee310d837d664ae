import { PORTAL_APP } from './document.ts';
import { evaluatePolicies } from './evaluate.ts';
import { scenariosOf, type LockoutSubject } from './lockout.ts';
import type { Decision, PolicySet } from './model.ts';
import { builtinStrengths, type StrengthCatalog } from './strength-port.ts';

/**
 * Downgrade analysis, the lockout analysis' twin: for each person and each app
 * they use or a policy names, what must a sign-in reach now, and what would it
 * have to reach after a proposed change? A change that lowers it for anyone is
 * a downgrade, which takes a second administrator. Pure: the caller gathers the people.
 *
 * "What must be reached" is the weakest rung of a ladder (a password, MFA,
 * phishing-resistant MFA) that the policies accept, tried from every place a
 * named location describes, with and without a compliant device. Blocks are
 * access rules, not strength: a sign-in blocked before or after is not compared.
 */
export const LEVELS = ['password', 'mfa', 'phishing_resistant_mfa', 'beyond', 'compliant_device'] as const;
export type Level = (typeof LEVELS)[number];

/** The methods that just reach each rung. */
const PROBES: ReadonlyArray<[Level, string[]]> = [
  ['password', ['password']],
  ['mfa', ['password', 'totp']],
  ['phishing_resistant_mfa', ['password', 'webauthn']],
];

const PLAIN: Record<Level, string> = {
  password: 'a password',
  mfa: 'MFA',
  phishing_resistant_mfa: 'phishing-resistant MFA',
  beyond: 'more than phishing-resistant MFA',
  compliant_device: 'a compliant device',
};

/** An app id no policy names: stands for "every other app" (policies for all apps apply to it). */
export const OTHER_APPS = 'tessera:any-other-app';

export interface DowngradeLoss {
  userId: string;
  username: string;
  app: string;
  before: Level;
  after: Level;
  /** The loss shows only on a compliant device (the device requirement stays otherwise). */
  onCompliantDevice: boolean;
  /** Plain words: "bob, mail: needed MFA, would need only a password". */
  message: string;
}

export interface DowngradeReport {
  checkedUsers: number;
  /** One entry per person and app whose requirement drops; empty when the change is no downgrade. */
  losses: DowngradeLoss[];
  /** Usernames that lose something, once each. */
  people: string[];
}

export interface DowngradeOptions {
  now: Date;
  strengths?: StrengthCatalog;
}

interface Probe {
  app: string;
  ip: string | null;
  country: string | null;
  device: boolean;
}

function decide(set: PolicySet, s: LockoutSubject, p: Probe, methods: string[], o: DowngradeOptions): Decision {
  return evaluatePolicies(
    set,
    {
      now: o.now,
      user: { id: s.id, username: s.username, kind: s.kind, groups: s.groups, roles: s.roles, registeredMethods: s.registeredMethods },
      app: p.app,
      ip: p.ip,
      country: p.country,
      device: p.device ? { managed: true, compliant: true } : null,
      clientType: 'browser',
      signInRisk: 'none',
      userRisk: s.userRisk,
      methodsUsed: methods,
    },
    o.strengths ?? builtinStrengths,
  );
}

/**
 * The weakest rung the policies accept here, or null when a policy blocks the
 * sign-in outright; without a device, a required compliant device is the top rung.
 */
function required(set: PolicySet, s: LockoutSubject, p: Probe, o: DowngradeOptions): Level | null {
  for (const [level, methods] of PROBES) {
    const d = decide(set, s, p, methods, o);
    if (d.outcome === 'allow') return level;
    if (d.outcome === 'block' && d.blockReason === 'policy') return null;
    if (d.outcome === 'block' && d.blockReason === 'compliant_device') return 'compliant_device';
  }
  return 'beyond';
}

/** Every app a policy of either set names, so an app nobody used lately is not overlooked. */
function namedApps(...sets: PolicySet[]): string[] {
  const out = new Set<string>();
  for (const set of sets) {
    for (const p of set.policies) {
      const apps = p.document.assignments.apps;
      if (apps.include !== 'all') for (const a of apps.include) out.add(a);
      for (const a of apps.exclude ?? []) out.add(a);
    }
  }
  return [...out];
}

function dedupeScenarios(current: PolicySet, proposed: PolicySet): Array<{ ip: string | null; country: string | null }> {
  const seen = new Map<string, { ip: string | null; country: string | null }>();
  for (const sc of [...scenariosOf(current), ...scenariosOf(proposed)]) seen.set(`${sc.ip}|${sc.country}`, sc);
  return [...seen.values()];
}

/**
 * Policies only ever add requirements, so a change that keeps every policy and
 * named location as it is (it only adds policies) cannot lower anything.
 */
export function onlyAdds(current: PolicySet, proposed: PolicySet): boolean {
  const after = new Map(proposed.policies.map((p) => [p.id, JSON.stringify(p.document)]));
  if (current.policies.some((p) => after.get(p.id) !== JSON.stringify(p.document))) return false;
  return JSON.stringify(current.namedLocations) === JSON.stringify(proposed.namedLocations);
}

export function analyseDowngrade(current: PolicySet, proposed: PolicySet, subjects: readonly LockoutSubject[], o: DowngradeOptions): DowngradeReport {
  if (onlyAdds(current, proposed)) return { checkedUsers: subjects.length, losses: [], people: [] };
  const scenarios = dedupeScenarios(current, proposed);
  const named = namedApps(current, proposed);
  const losses: DowngradeLoss[] = [];
  for (const s of subjects) {
    const apps = [...new Set([PORTAL_APP, ...s.apps, ...named, OTHER_APPS])];
    for (const app of apps) {
      let worst: DowngradeLoss | undefined;
      for (const device of [false, true]) {
        for (const sc of scenarios) {
          const probe = { app, ...sc, device };
          const before = required(current, s, probe, o);
          const after = required(proposed, s, probe, o);
          if (before === null || after === null) continue;
          const drop = LEVELS.indexOf(before) - LEVELS.indexOf(after);
          if (drop <= 0 || (worst && drop <= LEVELS.indexOf(worst.before) - LEVELS.indexOf(worst.after))) continue;
          const where = app === OTHER_APPS ? 'other apps' : app;
          worst = {
            userId: s.id, username: s.username, app, before, after, onCompliantDevice: device,
            message: `${s.username}, ${where}${device ? ' (on a compliant device)' : ''}: needed ${PLAIN[before]}, would need only ${PLAIN[after]}`,
          };
        }
        // A loss without a device is the one to show; the device case only adds one the person would not otherwise see.
        if (worst) break;
      }
      if (worst) losses.push(worst);
    }
  }
  return { checkedUsers: subjects.length, losses, people: [...new Set(losses.map((l) => l.username))] };
}

/** One line for an error message: who loses what, the first few. */
export function describeLosses(report: DowngradeReport, max = 5): string {
  const shown = report.losses.slice(0, max).map((l) => l.message);
  const more = report.losses.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}
