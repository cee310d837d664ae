import type { Db, Tx } from '../../store/store.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import { PRIVILEGED_ROLES } from '../../directory/roles.ts';
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

/**
 * MFA coverage of the active people: what the overview shows and the roll-out
 * is measured by. One registered-methods query per person (the same compiled
 * one the sign-in asks), so it reads what a sign-in would see.
 */
export async function coverage(db: Db | Tx): Promise<Coverage> {
  const strengths = await loadActiveStrengths(db);
  const people = await db.selectFrom('users').select(['id', 'username', 'kind']).where('status', '=', 'active').where('kind', '!=', 'service').orderBy('username').execute();
  const privileged = new Set(
    (await db.selectFrom('role_assignments').select('user_id').where('role', 'in', [...PRIVILEGED_ROLES]).execute()).map((r) => r.user_id),
  );
  const out: Coverage = { people: empty(), admins: empty(), adminsWithoutPhishingResistant: [] };
  for (const p of people) {
    const level = topStrength(await registeredMethodTypes(db, p.id), strengths);
    out.people[level]++;
    if (!privileged.has(p.id) && p.kind !== 'break_glass') continue;
    out.admins[level]++;
    if (level !== 'phishing_resistant_mfa') out.adminsWithoutPhishingResistant.push({ id: p.id, username: p.username, level });
  }
  return out;
}
