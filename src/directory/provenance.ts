import type { Db, Tx } from '../store/store.ts';
import { RefusedError } from './errors.ts';
import { resolveGroup } from './groups.ts';
import { resolveUser } from './users.ts';

/**
 * Where a person or a group comes from: made here (local), provisioned by a
 * SCIM client, or synced from an LDAP / Active Directory source. What a source
 * provides is its to change: an admin's attempt to change it here is refused
 * with the source's name, since the next sync or provisioning call would undo it.
 */
export type Origin =
  | { kind: 'local' }
  | { kind: 'scim'; name: string }
  | { kind: 'ldap'; name: string; dn: string; passwordInDirectory: boolean };

/** What a source owns of a person: the profile, whether the account is on, and (for an LDAP password check) the password. */
export type OwnedUserField = 'username' | 'email' | 'displayName' | 'status' | 'password' | 'account';
/** What a source owns of a group: its members, and the group itself. */
export type OwnedGroupField = 'members' | 'group';

const LABEL: Record<OwnedUserField | OwnedGroupField, string> = {
  username: 'username', email: 'email address', displayName: 'display name', status: 'enabled or disabled state',
  password: 'password', account: 'account', members: 'the members', group: 'the group',
};

export const describeOrigin = (o: Origin): string =>
  o.kind === 'local' ? 'local' : o.kind === 'scim' ? `SCIM client ${o.name}` : `LDAP source ${o.name}`;

async function scimClientName(db: Db | Tx, source: string): Promise<string> {
  // SCIM records its client as scim:<token id>; the token's name is what an admin knows it by.
  const tokenId = source.replace(/^scim:/, '');
  const token = await db.selectFrom('api_tokens').select('name').where('id', '=', tokenId).executeTakeFirst();
  return token?.name ?? source;
}

export async function originOfUser(db: Db | Tx, userId: string): Promise<Origin> {
  const ldap = await db.selectFrom('ldap_users').innerJoin('ldap_sources', 'ldap_sources.id', 'ldap_users.source_id')
    .select(['ldap_sources.name', 'ldap_sources.settings', 'ldap_users.dn']).where('ldap_users.user_id', '=', userId).executeTakeFirst();
  if (ldap) {
    const passwordInDirectory = (JSON.parse(ldap.settings) as { passwordBind?: boolean }).passwordBind === true;
    return { kind: 'ldap', name: ldap.name, dn: ldap.dn, passwordInDirectory };
  }
  const scim = await db.selectFrom('scim_users').select('source').where('user_id', '=', userId).executeTakeFirst();
  return scim ? { kind: 'scim', name: await scimClientName(db, scim.source) } : { kind: 'local' };
}

export async function originOfGroup(db: Db | Tx, groupId: string): Promise<Origin> {
  const ldap = await db.selectFrom('ldap_groups').innerJoin('ldap_sources', 'ldap_sources.id', 'ldap_groups.source_id')
    .select(['ldap_sources.name', 'ldap_groups.dn']).where('ldap_groups.group_id', '=', groupId).executeTakeFirst();
  if (ldap) return { kind: 'ldap', name: ldap.name, dn: ldap.dn, passwordInDirectory: false };
  const scim = await db.selectFrom('scim_groups').select('source').where('group_id', '=', groupId).executeTakeFirst();
  return scim ? { kind: 'scim', name: await scimClientName(db, scim.source) } : { kind: 'local' };
}

/** Every group's origin at once, for a listing. */
export async function originsOfGroups(db: Db | Tx): Promise<Map<string, Origin>> {
  const out = new Map<string, Origin>();
  const ldap = await db.selectFrom('ldap_groups').innerJoin('ldap_sources', 'ldap_sources.id', 'ldap_groups.source_id')
    .select(['ldap_groups.group_id', 'ldap_sources.name', 'ldap_groups.dn']).execute();
  for (const g of ldap) out.set(g.group_id, { kind: 'ldap', name: g.name, dn: g.dn, passwordInDirectory: false });
  for (const g of await db.selectFrom('scim_groups').select(['group_id', 'source']).execute()) {
    if (!out.has(g.group_id)) out.set(g.group_id, { kind: 'scim', name: await scimClientName(db, g.source) });
  }
  return out;
}

function owns(o: Origin, field: OwnedUserField): boolean {
  if (o.kind === 'local') return false;
  return field === 'password' ? o.kind === 'ldap' && o.passwordInDirectory : true;
}

/** Refuses (409) a change to what a person's source owns, naming the source and what to do instead. */
export async function refuseIfUserOwned(db: Db | Tx, userRef: string, fields: OwnedUserField[]): Promise<void> {
  const user = await resolveUser(db, userRef);
  const origin = await originOfUser(db, user.id);
  const owned = fields.filter((f) => owns(origin, f));
  if (!owned.length) return;
  const many = owned.length > 1;
  throw new RefusedError(`${user.username}'s ${owned.map((f) => LABEL[f]).join(' and ')} ${many ? 'are' : 'is'} kept by the ${describeOrigin(origin)}: change ${many ? 'them' : 'it'} there`);
}

/** Refuses (409) a change to a synced or provisioned group's members, or its removal. */
export async function refuseIfGroupOwned(db: Db | Tx, groupRef: string, field: OwnedGroupField): Promise<void> {
  const group = await resolveGroup(db, groupRef);
  const origin = await originOfGroup(db, group.id);
  if (origin.kind === 'local') return;
  throw new RefusedError(`${LABEL[field]} of group ${group.name} ${field === 'members' ? 'are' : 'is'} kept by the ${describeOrigin(origin)}: change ${field === 'members' ? 'them' : 'it'} there`);
}

/** The profile fields a patch would change, as owned-field names. */
export function patchedFields(patch: { username?: unknown; email?: unknown; displayName?: unknown }): OwnedUserField[] {
  return (['username', 'email', 'displayName'] as const).filter((f) => patch[f] !== undefined);
}

/** A CSV import line, as far as sources care: who, the profile it would set, the groups it would add to. */
export interface ImportedLine {
  line: number;
  username: string;
  email: string | null;
  displayName: string | null | undefined;
  groups: string[];
}

/**
 * The lines of an import that would change what a source owns (a synced
 * person's email or display name, a synced group's members), as line errors:
 * like any bad line, one of them makes the whole file import nothing.
 */
export async function importSourceConflicts(db: Db | Tx, lines: ImportedLine[]): Promise<Array<{ line: number; message: string }>> {
  const errors: Array<{ line: number; message: string }> = [];
  const groupOrigins = await originsOfGroups(db);
  const groups = new Map((await db.selectFrom('groups').select(['id', 'name_key']).execute()).map((g) => [g.name_key, g.id]));
  for (const l of lines) {
    const user = await db.selectFrom('users').select(['id', 'email', 'display_name']).where('username_key', '=', l.username.normalize('NFKC').toLowerCase()).executeTakeFirst();
    const origin = user ? await originOfUser(db, user.id) : { kind: 'local' as const };
    const changes = user && origin.kind !== 'local' && (l.email !== user.email || (l.displayName !== undefined && l.displayName !== user.display_name));
    if (changes) errors.push({ line: l.line, message: `${l.username} is kept by the ${describeOrigin(origin)}: its email and display name change there` });
    for (const name of l.groups) {
      const id = groups.get(name.normalize('NFKC').toLowerCase());
      const owner = id ? groupOrigins.get(id) : undefined;
      if (owner) errors.push({ line: l.line, message: `the members of group ${name} are kept by the ${describeOrigin(owner)}` });
    }
  }
  return errors;
}
