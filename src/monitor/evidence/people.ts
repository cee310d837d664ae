import type { Db } from '../../store/store.ts';
import { PRIVILEGED_ROLES } from '../../directory/roles.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import type { MethodType } from '../../methods/method.ts';
import { topStrength, type CoverageLevel } from '../../policy/store/coverage.ts';
import { loadActiveStrengths } from '../../policy/store/strengths-source.ts';

/** One active person (service accounts are not people) as the method mix and the privileged coverage read them. */
export interface PersonFact {
  username: string;
  kind: string;
  roles: string[];
  privileged: boolean;
  methods: MethodType[];
  level: CoverageLevel;
}

/**
 * Read once for both sections, with the same registered-methods query a
 * sign-in asks, so the figures are what a sign-in would see. These are the
 * methods as they stand when the pack is made: the store keeps no history of
 * registrations to rebuild an earlier day's.
 */
export async function gatherPeople(db: Db): Promise<PersonFact[]> {
  const strengths = await loadActiveStrengths(db);
  const users = await db.selectFrom('users').select(['id', 'username', 'kind']).where('status', '=', 'active').where('kind', '!=', 'service').orderBy('username').execute();
  const grants = await db.selectFrom('role_assignments').select(['user_id', 'role']).orderBy('role').execute();
  const out: PersonFact[] = [];
  for (const u of users) {
    const roles = grants.filter((g) => g.user_id === u.id).map((g) => g.role);
    const methods = await registeredMethodTypes(db, u.id);
    const privileged = u.kind === 'break_glass' || roles.some((r) => (PRIVILEGED_ROLES as readonly string[]).includes(r));
    out.push({ username: u.username, kind: u.kind, roles, privileged, methods, level: topStrength(methods, strengths) });
  }
  return out;
}
