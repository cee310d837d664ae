import { randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { ConflictError } from '../../directory/errors.ts';
import { deleteGroup, groupNameSchema } from '../../directory/groups.ts';
import type { GroupsTable } from '../../directory/tables.ts';
import { readGroupInput } from './input.ts';
import { invalidValue, notFound } from './errors.ts';
import { GROUP_SCHEMA } from './schemas.ts';
import { refuseIfLdapOwned } from './owned.ts';
import type { ScimClient } from './users.ts';

/** SCIM Groups are Tessera groups, named by displayName; their members are users. */
type Row = GroupsTable & { external_id: string | null };
type Member = { id: string; username: string };

const nameKey = (name: string) => name.normalize('NFKC').toLowerCase();

function groupsWithScim(db: Db | Tx) {
  return db.selectFrom('groups').leftJoin('scim_groups', 'scim_groups.group_id', 'groups.id').selectAll('groups').select('scim_groups.external_id');
}

async function membersOf(db: Db | Tx, groupIds: string[] | null): Promise<Map<string, Member[]>> {
  let q = db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id').select(['group_members.group_id', 'users.id', 'users.username']);
  if (groupIds) q = q.where('group_members.group_id', 'in', groupIds.length ? groupIds : ['']);
  const out = new Map<string, Member[]>();
  for (const r of await q.orderBy('users.username_key').execute()) out.set(r.group_id, [...(out.get(r.group_id) ?? []), { id: r.id, username: r.username }]);
  return out;
}

function groupResource(base: string, row: Row, members: Member[]): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.name,
    members: members.map((m) => ({ value: m.id, display: m.username, type: 'User', $ref: `${base}/Users/${m.id}` })),
    meta: { resourceType: 'Group', created: row.created_at, location: `${base}/Groups/${row.id}` },
  };
}

export async function listGroupResources(db: Db | Tx, base: string): Promise<Array<Record<string, unknown>>> {
  const rows = await groupsWithScim(db).orderBy('groups.name_key').execute();
  const members = await membersOf(db, null);
  return rows.map((r) => groupResource(base, r, members.get(r.id) ?? []));
}

export async function getGroupResource(db: Db | Tx, base: string, id: string): Promise<Record<string, unknown>> {
  const row = await groupsWithScim(db).where('groups.id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`no Group ${id}`);
  return groupResource(base, row, (await membersOf(db, [id])).get(id) ?? []);
}

/** Creates (`id` null) or replaces a Group; members absent from a replacement are removed. Returns its id. */
export async function putGroup(store: Store, client: ScimClient, id: string | null, body: unknown): Promise<string> {
  const input = readGroupInput(body);
  const parsed = groupNameSchema.safeParse(input.displayName);
  if (!parsed.success) throw invalidValue(`displayName: ${parsed.error.issues[0]!.message}`);
  const name = parsed.data;
  const wanted = [...new Set((input.members ?? []).map((m) => m.value))];
  const externalId = input.externalId ?? null;
  return auditedChange(store, async (trx, record) => {
    const by = { actor: `token:${client.tokenId}`, requestId: client.requestId };
    const key = nameKey(name);
    const clash = await trx.selectFrom('groups').select('id').where('name_key', '=', key).where('id', '!=', id ?? '').executeTakeFirst();
    if (clash) throw new ConflictError(`group ${name} already exists`);
    const found = wanted.length ? await trx.selectFrom('users').select(['id', 'username']).where('id', 'in', wanted).execute() : [];
    const unknown = wanted.filter((w) => !found.some((f) => f.id === w));
    if (unknown.length) throw invalidValue(`members: no User ${unknown.slice(0, 3).join(', ')} (members are Users, named by their id)`);
    let groupId: string;
    let current: Member[] = [];
    if (id === null) {
      const row: GroupsTable = { id: randomUUID(), name, name_key: key, description: null, created_at: new Date().toISOString() };
      await trx.insertInto('groups').values(row).execute();
      await record({ ...by, action: 'group.create', target: `group:${row.id}`, after: { id: row.id, name, externalId, source: `scim:${client.tokenId}` } });
      groupId = row.id;
    } else {
      const before = await groupsWithScim(trx).where('groups.id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`no Group ${id}`);
      await refuseIfLdapOwned(trx, 'Group', id);
      groupId = id;
      current = (await membersOf(trx, [id])).get(id) ?? [];
      if (before.name !== name || before.external_id !== externalId) {
        await trx.updateTable('groups').set({ name, name_key: key }).where('id', '=', id).execute();
        await record({ ...by, action: 'group.update', target: `group:${id}`, before: { name: before.name, externalId: before.external_id }, after: { name, externalId } });
      }
    }
    const at = new Date().toISOString();
    for (const u of found.filter((f) => !current.some((c) => c.id === f.id))) {
      await trx.insertInto('group_members').values({ group_id: groupId, user_id: u.id, added_at: at }).execute();
      await record({ ...by, action: 'group.member.add', target: `group:${groupId}`, after: { user_id: u.id, username: u.username } });
    }
    for (const u of current.filter((c) => !wanted.includes(c.id))) {
      await trx.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', u.id).execute();
      await record({ ...by, action: 'group.member.remove', target: `group:${groupId}`, before: { user_id: u.id, username: u.username } });
    }
    await trx.deleteFrom('scim_groups').where('group_id', '=', groupId).execute();
    await trx.insertInto('scim_groups').values({ group_id: groupId, source: `scim:${client.tokenId}`, external_id: externalId, updated_at: at }).execute();
    return groupId;
  });
}

export async function deleteGroupResource(store: Store, client: ScimClient, id: string): Promise<void> {
  const row = await store.db.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`no Group ${id}`);
  await refuseIfLdapOwned(store.db, 'Group', id);
  await deleteGroup(store, id, { actor: `token:${client.tokenId}`, requestId: client.requestId });
}
