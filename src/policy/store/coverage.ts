import type { Db, Tx } from '../../store/store.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import { PRIVILEGED_ROLES } from '../../directory/roles.ts';
import type { MethodType } from '../../methods/method.ts';
import type { StrengthCatalog } from '../strength-port.ts';
import { loadActiveStrengths } from './strengths-source.ts';

/** The strongest standard strength, from best to weakest; "none" below MFA. */
export const COVERAGE_LEVELS = ['phishing_resistant_mfa', 'passwordless_mfa', 'mfa', 'none'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** The strongest standard strength one sign-in with the password and one other registered method reaches. */
export function topStrength(methods: readonly string[], strengths: StrengthCatalog): CoverageLevel {
  const reach = new Set<string>();
  for (const t of methods) if (t !== 'password') for (const s of strengths.satisfiedBy(['password', t])) reach.add(s);
  return COVERAGE_LEVELS.find((s) => reach.has(s)) ?? 'none';
}

/** Whether the password and one other registered method reach this strength (a custom one too). */
export function strengthReached(methods: readonly string[], strengths: StrengthCatalog, strength: string): boolean {
  return methods.some((t) => t !== 'password' && strengths.satisfiedBy(['password', t]).has(strength));
}

export interface Coverage {
  /** Active people, by the strongest strength their registered methods reach. */
  people: Record<CoverageLevel, number>;
  /** The same for holders of a privileged role (and break-glass accounts). */
  admins: Record<CoverageLevel, number>;
  /** Privileged people who cannot reach phishing-resistant MFA yet. */
  adminsWithoutPhishingResistant: Array<{ id: string; username: string; level: CoverageLevel }>;
}

const empty = (): Record<CoverageLevel, number> => ({ phishing_resistant_mfa: 0, passwordless_mfa: 0, mfa: 0, none: 0 });

/** One active account as coverage reads it: its roles, registered methods and the strongest strength they reach. */
export interface PersonCoverage {
  id: string;
  username: string;
  kind: string;
  roles: string[];
  /** Holds a privileged role, or is a break-glass account. */
  privileged: boolean;
  methods: MethodType[];
  level: CoverageLevel;
}

/**
 * Every active account (callers leave out service accounts where they do not
 * count), by username. One registered-methods query per account, the same
 * compiled one the sign-in asks, so it reads what a sign-in would see. The
 * overview, the posture checklist and the evidence pack all read coverage
 * from here.
 */
export async function peopleCoverage(db: Db | Tx): Promise<PersonCoverage[]> {
  const strengths = await loadActiveStrengths(db);
  const users = await db.selectFrom('users').select(['id', 'username', 'kind']).where('status', '=', 'active').orderBy('username').execute();
  const rolesOf = new Map<string, string[]>();
  for (const g of await db.selectFrom('role_assignments').select(['user_id', 'role']).orderBy('role').execute()) {
    rolesOf.set(g.user_id, [...(rolesOf.get(g.user_id) ?? []), g.role]);
  }
  const out: PersonCoverage[] = [];
  for (const u of users) {
    const roles = rolesOf.get(u.id) ?? [];
    const methods = await registeredMethodTypes(db, u.id);
    const privileged = u.kind === 'break_glass' || roles.some((r) => (PRIVILEGED_ROLES as readonly string[]).includes(r));
    out.push({ id: u.id, username: u.username, kind: u.kind, roles, privileged, methods, level: topStrength(methods, strengths) });
  }
  return out;
}

/** MFA coverage of the active people: what the overview shows and the roll-out is measured by. */
export async function coverage(db: Db | Tx): Promise<Coverage> {
  const out: Coverage = { people: empty(), admins: empty(), adminsWithoutPhishingResistant: [] };
  for (const p of await peopleCoverage(db)) {
    if (p.kind === 'service') continue;
    out.people[p.level]++;
    if (!p.privileged) continue;
    out.admins[p.level]++;
    if (p.level !== 'phishing_resistant_mfa') out.adminsWithoutPhishingResistant.push({ id: p.id, username: p.username, level: p.level });
  }
  return out;
}
