import { sql } from 'kysely';
import type { Db, Tx } from '../../store/store.ts';
import { compiled } from '../../store/compiled.ts';
import { toUser, type User } from '../../directory/users.ts';
import { methodPresence, presentMethodTypes } from '../../methods/list.ts';
import { allowedGiven, METHOD_POLICY_KEYS } from '../../methods/policy/filter.ts';
import type { UsersTable } from '../../directory/tables.ts';

/** The person as the decision needs them: the account, its roles, groups and the types of its active methods. */
export interface KnownSubject {
  user: User;
  roles: readonly string[];
  /** Types of the user's active methods, password included. */
  methods: readonly string[];
  /** Names of the person's groups; absent when the caller did not read them. */
  groups?: readonly string[];
}

/**
 * Everything about one person a decision reads, in one statement: the account
 * row, beside it one row per role, group and stored methods policy, and the
 * methods they have registered. Every access decision asks this; on
 * PostgreSQL each statement is a round trip, and this used to be five.
 */
const subjectRows = compiled((db, userId: string) => {
  const facets = db.selectFrom('role_assignments')
    .select([sql<string>`'role'`.as('facet'), 'role as facet_value', sql<string | null>`null`.as('facet_extra'), 'role as facet_sort'])
    .where('user_id', '=', userId)
    .unionAll(db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select([sql<string>`'group'`.as('facet'), 'groups.name as facet_value', 'groups.id as facet_extra', 'groups.name_key as facet_sort'])
      .where('group_members.user_id', '=', userId))
    .unionAll(db.selectFrom('method_settings')
      .select([sql<string>`'policy'`.as('facet'), 'settings as facet_value', sql<string | null>`null`.as('facet_extra'), 'method as facet_sort'])
      .where('method', 'in', METHOD_POLICY_KEYS));
  return db.selectFrom('users').leftJoin(facets.as('f'), (join) => join.onTrue())
    .selectAll('users')
    .select(['f.facet', 'f.facet_value', 'f.facet_extra', 'f.facet_sort'])
    .select((eb) => methodPresence(db, eb, userId))
    .where('users.id', '=', userId);
});

// The facet columns have names of their own: users has a column "kind" too.
const bySort = <T extends { facet_sort: string | null }>(a: T, b: T) => ((a.facet_sort ?? '') < (b.facet_sort ?? '') ? -1 : (a.facet_sort ?? '') > (b.facet_sort ?? '') ? 1 : 0);

export async function loadSubject(db: Db | Tx, userId: string): Promise<KnownSubject | null> {
  const { rows } = await subjectRows(db, userId);
  const head = rows[0];
  if (!head) return null;
  const of = (kind: string) => rows.filter((r) => r.facet === kind).sort(bySort);
  const roles = of('role').map((r) => r.facet_value!);
  const groups = of('group');
  const policies = of('policy').map((r) => ({ method: r.facet_sort!, settings: r.facet_value! }));
  const present = presentMethodTypes(head);
  const allowed = allowedGiven(policies, present, { isAdmin: roles.length > 0, groups: groups.flatMap((g) => [g.facet_extra!, g.facet_value!]) });
  return { user: toUser(head as UsersTable), roles, groups: groups.map((g) => g.facet_value!), methods: present.filter(allowed) };
}
