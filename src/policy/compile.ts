import type { Grant, NamedLocation, PolicyDocument } from './document.ts';
import { compileRanges, type RangeMatcher } from './ip-match.ts';
import type { PolicyException, PolicyResult, PolicySet } from './model.ts';
import { RecentlyUsed } from './recently-used.ts';
import { isReadOnlyDocument, KEPT_LOCATIONS, KEPT_POLICIES } from './stored-documents.ts';

/**
 * A policy set turned into what evaluation reads fastest: lower-cased name
 * sets, parsed times, IP ranges as flat lists, each named location once.
 * Compiling is pure and deterministic; evaluate() caches the result per set
 * object, so a set is compiled once and evaluated many times.
 */
export interface CompiledLocation {
  name: string;
  ip: RangeMatcher | null;
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

/** What a policy's document compiles to on its own, whatever set it is in. */
export interface CompiledDocument {
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
  clientTypes: ReadonlySet<string> | null;
  device: { managed?: boolean; compliant?: boolean } | null;
  signInRisk: ReadonlySet<string> | null;
  userRisk: ReadonlySet<string> | null;
  registeredAnyOf: readonly string[] | null;
  grant: Grant | null;
  frequencyHours: number | null;
  idleMinutes: number | null;
  nonPersistent: boolean;
}

export interface CompiledPolicy extends CompiledDocument {
  id: string;
  /** null: any location. Indexes into CompiledSet.locations; -1 for a name no location has. */
  locationsIn: readonly number[] | null;
  locationsOut: readonly number[];
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
    ip: l.ipRanges?.length ? compileRanges(l.ipRanges) : null,
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

interface DocumentEntry {
  part: CompiledDocument;
  /** Lower-cased location names; null: any location. */
  locationsIn: readonly string[] | null;
  locationsOut: readonly string[];
}

const NO_NAMES: readonly string[] = Object.freeze([]);
const lowerList = (xs: readonly string[]): readonly string[] => (xs.length ? xs.map((x) => x.toLowerCase()) : NO_NAMES);

function compileDocument(d: PolicyDocument): DocumentEntry {
  const a = d.assignments;
  const c = d.conditions;
  const loc = c.locations;
  const part: CompiledDocument = {
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
    clientTypes: c.clientTypes ? setOf(c.clientTypes) : null,
    device: c.device ?? null,
    signInRisk: c.signInRisk ? setOf(c.signInRisk) : null,
    userRisk: c.userRisk ? setOf(c.userRisk) : null,
    registeredAnyOf: c.registeredMethods?.anyOf ?? null,
    grant: d.grant ?? null,
    frequencyHours: d.session?.signInFrequencyHours ?? null,
    idleMinutes: d.session?.idleMinutes ?? null,
    nonPersistent: d.session?.persistentSession === false,
  };
  return { part, locationsIn: !loc || loc.include === 'all' ? null : lowerList(loc.include), locationsOut: loc ? lowerList(loc.exclude) : NO_NAMES };
}

/*
 * A change usually leaves all but one document as it was, and documents read
 * from the store are the same read-only objects as before while their text is
 * (stored-documents.ts). Their compiled forms are kept too, so the first
 * decision after a change compiles the changed policy alone: the IP ranges of
 * a named location go into a BlockList once, not once per change. Documents
 * from elsewhere (a proposed change, a test) may still change, and are
 * compiled every time.
 */
const compiledDocuments = new RecentlyUsed<PolicyDocument, DocumentEntry>(KEPT_POLICIES);
const compiledLocations = new RecentlyUsed<NamedLocation, CompiledLocation>(KEPT_LOCATIONS);
const documentEntry = (d: PolicyDocument) => (isReadOnlyDocument(d) ? compiledDocuments.get(d, compileDocument) : compileDocument(d));
const locationOf = (l: NamedLocation) => (isReadOnlyDocument(l) ? compiledLocations.get(l, compileLocation) : compileLocation(l));

function exceptionsByPolicy(exceptions: readonly PolicyException[]): Map<string, CompiledException[]> {
  const byPolicy = new Map<string, CompiledException[]>();
  for (const e of exceptions) {
    const list = byPolicy.get(e.policyId);
    if (list) list.push(compileException(e));
    else byPolicy.set(e.policyId, [compileException(e)]);
  }
  return byPolicy;
}

export function compilePolicySet(set: PolicySet): CompiledSet {
  compiledDocuments.nextRound();
  compiledLocations.nextRound();
  const locations = set.namedLocations.map(locationOf);
  const byName = new Map<string, number>();
  locations.forEach((l, i) => byName.set(l.name.toLowerCase(), i));
  const indexOf = (n: string) => byName.get(n) ?? -1;
  const exceptionsOf = exceptionsByPolicy(set.exceptions);
  const policies = set.policies.map(({ id, document }): CompiledPolicy => {
    const entry = documentEntry(document);
    return {
      ...entry.part,
      id,
      locationsIn: entry.locationsIn === null ? null : entry.locationsIn.map(indexOf),
      locationsOut: entry.locationsOut.map(indexOf),
      exceptions: exceptionsOf.get(id) ?? NO_EXCEPTIONS,
      notTargeted: [],
    };
  });
  return { policies, locations, targets: indexTargets(policies) };
}
