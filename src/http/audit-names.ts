import type { Db } from '../store/store.ts';
import type { AuditEventLike, AuditNames } from './audit-words.ts';

/**
 * Reads, in two queries, the people and API tokens a list of audit entries
 * names (as actors or targets), so describeAuditEvent can call them by name.
 */
export async function loadAuditNames(db: Db, entries: readonly AuditEventLike[]): Promise<AuditNames> {
  const ids = (prefix: string) => [
    ...new Set(entries.flatMap((e) => [e.actor, e.target ?? '']).filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length))),
  ];
  const userIds = ids('user:');
  const tokenIds = ids('token:');
  const tokens = tokenIds.length
    ? await db.selectFrom('api_tokens').leftJoin('users', 'users.id', 'api_tokens.owner_user_id')
      .select(['api_tokens.id', 'api_tokens.name', 'users.username as owner', 'users.display_name as owner_display'])
      .where('api_tokens.id', 'in', tokenIds).execute()
    : [];
  const people = userIds.length
    ? await db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', userIds).execute()
    : [];
  const grants = userIds.length
    ? await db.selectFrom('role_assignments').select(['user_id', 'role']).where('user_id', 'in', userIds).orderBy('role').execute()
    : [];
  return {
    people: new Map(people.map((p) => [p.id, { name: p.display_name ?? p.username, roles: grants.filter((g) => g.user_id === p.id).map((g) => g.role) }])),
    tokens: new Map(tokens.map((t) => [t.id, { name: t.name, owner: t.owner_display ?? t.owner }])),
  };
}
