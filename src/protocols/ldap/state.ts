import type { Db } from '../../store/store.ts';
import type { OwnedState } from './plan.ts';

/** What the source owns in Tessera now, and the names it may not take (see OwnedState). */
export async function ownedState(db: Db, sourceId: string): Promise<OwnedState> {
  const people = await db.selectFrom('ldap_users').innerJoin('users', 'users.id', 'ldap_users.user_id')
    .select(['users.id', 'users.username', 'users.email', 'users.display_name', 'users.status', 'ldap_users.dn', 'ldap_users.missing_since', 'ldap_users.offboarded_at'])
    .where('ldap_users.source_id', '=', sourceId).execute();
  const groups = await db.selectFrom('ldap_groups').innerJoin('groups', 'groups.id', 'ldap_groups.group_id')
    .select(['groups.id', 'groups.name', 'ldap_groups.dn']).where('ldap_groups.source_id', '=', sourceId).execute();
  const members = await db.selectFrom('group_members').innerJoin('ldap_groups', 'ldap_groups.group_id', 'group_members.group_id')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['group_members.group_id', 'users.username_key']).where('ldap_groups.source_id', '=', sourceId).execute();
  const ownedUsers = new Set(people.map((p) => p.id));
  const ownedGroups = new Set(groups.map((g) => g.id));
  const allUsers = await db.selectFrom('users').select(['id', 'username_key']).execute();
  const allGroups = await db.selectFrom('groups').select(['id', 'name_key']).execute();
  // Owned by some source (this one, another LDAP source, a SCIM client): never local.
  const sourcedUsers = new Set([
    ...(await db.selectFrom('ldap_users').select('user_id').execute()).map((r) => r.user_id),
    ...(await db.selectFrom('scim_users').select('user_id').execute()).map((r) => r.user_id),
  ]);
  const sourcedGroups = new Set([
    ...(await db.selectFrom('ldap_groups').select('group_id').execute()).map((r) => r.group_id),
    ...(await db.selectFrom('scim_groups').select('group_id').execute()).map((r) => r.group_id),
  ]);
  const localGroups = new Map(allGroups.filter((g) => !sourcedGroups.has(g.id)).map((g) => [g.id, g.name_key]));
  const localGroupMembers = new Map<string, string[]>();
  for (const m of await db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id').select(['group_members.group_id', 'users.username_key']).execute()) {
    const key = localGroups.get(m.group_id);
    if (key) localGroupMembers.set(key, [...(localGroupMembers.get(key) ?? []), m.username_key]);
  }
  return {
    localGroupMembers,
    people: people.map((p) => ({
      userId: p.id, username: p.username, email: p.email, displayName: p.display_name, status: p.status, dn: p.dn,
      missingSince: p.missing_since, offboardedAt: p.offboarded_at,
    })),
    groups: groups.map((g) => ({ groupId: g.id, name: g.name, dn: g.dn, members: members.filter((m) => m.group_id === g.id).map((m) => m.username_key) })),
    takenUsernames: new Set(allUsers.filter((u) => !ownedUsers.has(u.id)).map((u) => u.username_key)),
    takenGroupNames: new Set(allGroups.filter((g) => !ownedGroups.has(g.id)).map((g) => g.name_key)),
    localUsernames: new Set(allUsers.filter((u) => !sourcedUsers.has(u.id)).map((u) => u.username_key)),
    localGroupNames: new Set(allGroups.filter((g) => !sourcedGroups.has(g.id)).map((g) => g.name_key)),
  };
}
