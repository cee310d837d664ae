import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { compiled } from '../store/compiled.ts';
import { auditedChange } from '../audit/append.ts';
import type { GroupsTable } from './tables.ts';
import { ConflictError, NotFoundError, type ChangedBy } from './errors.ts';
import { resolveUser, toUser, type User } from './users.ts';

export const groupNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'may hold letters, digits, spaces and . _ - only, starting with a letter or digit');

export const newGroupSchema = z.object({
  name: groupNameSchema,
  description: z.string().trim().max(256).nullish(),
});
export type NewGroup = z.input<typeof newGroupSchema>;

export interface Group {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  memberCount: number;
}

export interface GroupWithMembers extends Group {
  members: User[];
}

const nameKey = (name: string) => name.normalize('NFKC').toLowerCase();

function toGroup(row: GroupsTable, memberCount: number): Group {
  return { id: row.id, name: row.name, description: row.description, createdAt: row.created_at, memberCount };
}

async function memberCount(db: Db | Tx, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('group_members')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Finds a group by id or, failing that, by name (case-insensitive). */
export async function resolveGroup(db: Db | Tx, ref: string): Promise<Group> {
  const row =
    (await db.selectFrom('groups').selectAll().where('id', '=', ref).executeTakeFirst()) ??
    (await db.selectFrom('groups').selectAll().where('name_key', '=', nameKey(ref)).executeTakeFirst());
  if (!row) throw new NotFoundError(`no group ${ref}`);
  return toGroup(row, await memberCount(db, row.id));
}

export async function listGroups(db: Db | Tx): Promise<Group[]> {
  const rows = await db
    .selectFrom('groups')
    .leftJoin('group_members', 'group_members.group_id', 'groups.id')
    .select(['groups.id', 'groups.name', 'groups.name_key', 'groups.description', 'groups.created_at'])
    .select((eb) => eb.fn.count('group_members.user_id').as('n'))
    .groupBy(['groups.id', 'groups.name', 'groups.name_key', 'groups.description', 'groups.created_at'])
    .orderBy('groups.name_key')
    .execute();
  return rows.map((r) => toGroup(r, Number(r.n)));
}

export async function getGroup(db: Db | Tx, ref: string): Promise<GroupWithMembers> {
  const group = await resolveGroup(db, ref);
  return { ...group, members: await groupMembers(db, group.id) };
}

export async function groupMembers(db: Db | Tx, groupId: string): Promise<User[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .selectAll('users')
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.username_key')
    .execute();
  return rows.map(toUser);
}

/** The groups a user belongs to, by name, for policy assignments and display. */
// Every access decision gathers the person's groups: compiled once (src/store/compiled.ts).
const groupsOf = compiled((db, userId: string) =>
  db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', userId).orderBy('groups.name_key'),
);

export async function groupsOfUser(db: Db | Tx, userId: string): Promise<Array<{ id: string; name: string }>> {
  return (await groupsOf(db, userId)).rows;
}

export async function createGroup(store: Store, input: NewGroup, by: ChangedBy): Promise<Group> {
  const data = newGroupSchema.parse(input);
  return auditedChange(store, async (trx, record) => {
    const key = nameKey(data.name);
    const clash = await trx.selectFrom('groups').select('id').where('name_key', '=', key).executeTakeFirst();
    if (clash) throw new ConflictError(`group ${data.name} already exists`);
    const row: GroupsTable = {
      id: randomUUID(),
      name: data.name,
      name_key: key,
      description: data.description || null,
      created_at: new Date().toISOString(),
    };
    await trx.insertInto('groups').values(row).execute();
    const group = toGroup(row, 0);
    await record({ actor: by.actor, action: 'group.create', target: `group:${row.id}`, requestId: by.requestId, after: group });
    return group;
  });
}

export async function deleteGroup(store: Store, ref: string, by: ChangedBy): Promise<Group> {
  return auditedChange(store, async (trx, record) => {
    const group = await resolveGroup(trx, ref);
    const members = await groupMembers(trx, group.id);
    await trx.deleteFrom('group_members').where('group_id', '=', group.id).execute();
    await trx.deleteFrom('groups').where('id', '=', group.id).execute();
    // The members are kept in the entry: removing a group can change who policies apply to.
    const before = { ...group, members: members.map((m) => m.username) };
    await record({ actor: by.actor, action: 'group.delete', target: `group:${group.id}`, requestId: by.requestId, before });
    return group;
  });
}

export async function addGroupMember(store: Store, groupRef: string, userRef: string, by: ChangedBy): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const group = await resolveGroup(trx, groupRef);
    const user = await resolveUser(trx, userRef);
    const held = await trx
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', group.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (held) throw new ConflictError(`${user.username} is already a member of ${group.name}`);
    await trx.insertInto('group_members').values({ group_id: group.id, user_id: user.id, added_at: new Date().toISOString() }).execute();
    await record({
      actor: by.actor,
      action: 'group.member.add',
      target: `group:${group.id}`,
      requestId: by.requestId,
      after: { user_id: user.id, username: user.username },
    });
  });
}

export async function removeGroupMember(store: Store, groupRef: string, userRef: string, by: ChangedBy): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const group = await resolveGroup(trx, groupRef);
    const user = await resolveUser(trx, userRef);
    const gone = await trx.deleteFrom('group_members').where('group_id', '=', group.id).where('user_id', '=', user.id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) throw new NotFoundError(`${user.username} is not a member of ${group.name}`);
    await record({
      actor: by.actor,
      action: 'group.member.remove',
      target: `group:${group.id}`,
      requestId: by.requestId,
      before: { user_id: user.id, username: user.username },
    });
  });
}
