import type { Grant, NamedLocation, PolicyDocument } from './document.ts';
import { compileIpRanges, type IpMatcher } from './ip-ranges.ts';
import type { PolicyException, PolicyResult, PolicySet } from './model.ts';

/**
 * A policy set turned into what evaluation reads fastest: lower-cased name
 * sets, parsed times, IP ranges in BlockLists, each named location once.
 * Compiling is pure and deterministic; evaluate() caches the result per set
 * object, so a set is compiled once and evaluated many times.
 */
export interface CompiledLocation {
  name: string;
  ip: IpMatcher | null;
  countries: ReadonlySet<string> | null;
  trusted: boolean;
  /** Words for a policy that does not apply because the sign-in is inside this location. */
  insideDetail: string;
}

export interface CompiledException {
  id: string;
  kind: 'user' | 'group';
  subject: string;
  startsAt: number;
  endsAt: number;
  /** Precomputed words for the result, so evaluation builds no strings. */
  detail: string;
}

export interface CompiledPolicy {
  id: string;
  name: string;
  state: PolicyDocument['state'];
  enforceFrom: number | null;
  /** Words for a policy that only reports until its enforcement date. */
  scheduledDetail: string | undefined;
  allUsers: boolean;
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  rolesIn: ReadonlySet<string>;
  rolesOut: ReadonlySet<string>;
  allApps: boolean;
  appsIn: ReadonlySet<string>;
  appsOut: ReadonlySet<string>;
  /** null: any location. Indexes into CompiledSet.locations; -1 for a name no location has. */
  locationsIn: readonly number[] | null;
  locationsOut: readonly number[];
  clientTypes: ReadonlySet<string> | null;
  device: { managed?: boolean; compliant?: boolean } | null;
  signInRisk: ReadonlySet<string> | null;
  userRisk: ReadonlySet<string> | null;
  registeredAnyOf: readonly string[] | null;
  grant: Grant | null;
  frequencyHours: number | null;
  idleMinutes: number | null;
  nonPersistent: boolean;
  exceptions: readonly CompiledException[];
  /**
   * "Not targeted" as a result, one per mode (reportOnly, enforced),
   * made on first use and shared by every decision: most policies do not
   * target a given person, and answering them allocates nothing.
   */
  notTargeted: Array<Readonly<PolicyResult> | undefined>;
}

/** Which policies can target a person at all, by what the assignments name. */
export interface TargetIndex {
  /** Policies assigned to all users. */
  everyone: readonly number[];
  byUser: ReadonlyMap<string, readonly number[]>;
  byGroup: ReadonlyMap<string, readonly number[]>;
  byRole: ReadonlyMap<string, readonly number[]>;
}

export interface CompiledSet {
  policies: readonly CompiledPolicy[];
  locations: readonly CompiledLocation[];
  targets: TargetIndex;
}

function indexTargets(policies: readonly CompiledPolicy[]): TargetIndex {
  const everyone: number[] = [];
  const byUser = new Map<string, number[]>();
  const byGroup = new Map<string, number[]>();
  const byRole = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  policies.forEach((p, i) => {
    if (p.allUsers) everyone.push(i);
    for (const u of p.users) add(byUser, u, i);
    for (const g of p.groups) add(byGroup, g, i);
    for (const r of p.rolesIn) add(byRole, r, i);
  });
  return { everyone, byUser, byGroup, byRole };
}

/*
 * Most lists in a policy are empty; they all share one empty set, so that
 * compiling a large set (the first decision after every change) allocates
 * little and leaves the young generation little to copy.
 */
const EMPTY: ReadonlySet<string> = Object.freeze(new Set<string>());
const setOf = (xs: readonly string[]): ReadonlySet<string> => (xs.length ? new Set(xs) : EMPTY);
const lower = (xs: readonly string[]): ReadonlySet<string> => (xs.length ? new Set(xs.map((x) => x.toLowerCase())) : EMPTY);
const NO_EXCEPTIONS: readonly CompiledException[] = Object.freeze([]);

function compileLocation(l: NamedLocation): CompiledLocation {
  return {
    name: l.name,
    ip: l.ipRanges?.length ? compileIpRanges(l.ipRanges) : null,
    countries: l.countries?.length ? new Set(l.countries.map((c) => c.toUpperCase())) : null,
    trusted: l.trusted,
    insideDetail: `inside ${l.name}`,
  };
}

function compileException(e: PolicyException): CompiledException {
  return {
    id: e.id,
    kind: e.subjectKind,
    subject: e.subject.toLowerCase(),
    startsAt: Date.parse(e.startsAt),
    endsAt: Date.parse(e.endsAt),
    detail: `exception ${e.id} (${e.subjectKind} ${e.subject}) until ${e.endsAt}`,
  };
}

export function compilePolicySet(set: PolicySet): CompiledSet {
  const locations = set.namedLocations.map(compileLocation);
  const byName = new Map(locations.map((l, i) => [l.name.toLowerCase(), i]));
  const indexOf = (n: string) => byName.get(n.toLowerCase()) ?? -1;
  const exceptionsOf = new Map<string, CompiledException[]>();
  for (const e of set.exceptions) {
    const list = exceptionsOf.get(e.policyId) ?? [];
    list.push(compileException(e));
    exceptionsOf.set(e.policyId, list);
  }
  const policies = set.policies.map(({ id, document: d }): CompiledPolicy => {
    const a = d.assignments;
    const c = d.conditions;
    const loc = c.locations;
    return {
      id,
      name: d.name,
      state: d.state,
      enforceFrom: d.enforceFrom ? Date.parse(d.enforceFrom) : null,
      scheduledDetail: d.enforceFrom ? `enforced from ${d.enforceFrom}` : undefined,
      allUsers: a.users.include === 'all',
      users: a.users.include === 'all' ? EMPTY : lower(a.users.include),
      groups: lower(a.groups.include),
      rolesIn: setOf(a.roles.include),
      rolesOut: setOf(a.roles.exclude),
      allApps: a.apps.include === 'all',
      appsIn: a.apps.include === 'all' ? EMPTY : setOf(a.apps.include),
      appsOut: setOf(a.apps.exclude),
      locationsIn: !loc || loc.include === 'all' ? null : loc.include.map(indexOf),
      locationsOut: loc ? loc.exclude.map(indexOf) : [],
      clientTypes: c.clientTypes ? setOf(c.clientTypes) : null,
      device: c.device ?? null,
      signInRisk: c.signInRisk ? setOf(c.signInRisk) : null,
      userRisk: c.userRisk ? setOf(c.userRisk) : null,
      registeredAnyOf: c.registeredMethods?.anyOf ?? null,
      grant: d.grant ?? null,
      frequencyHours: d.session?.signInFrequencyHours ?? null,
      idleMinutes: d.session?.idleMinutes ?? null,
      nonPersistent: d.session?.persistentSession === false,
      exceptions: exceptionsOf.get(id) ?? NO_EXCEPTIONS,
      notTargeted: [],
    };
  });
  return { policies, locations, targets: indexTargets(policies) };
}
