import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { deleteUser, findUserById, insertUser, toUser, usernameKey, usernameSchema, DuplicateUserError, type User } from '../../directory/users.ts';
import { refuseIfLastGlobalAdmin } from '../../directory/last-admin.ts';
import { offboardUser } from '../../recovery/devices/offboard.ts';
import { endAccessIn } from '../../signin/session/revoke-everywhere.ts';
import type { UsersTable } from '../../directory/tables.ts';
import type { ScimUsersTable } from './tables.ts';
import { chosenEmail, readUserInput, type ScimUserInput } from './input.ts';
import { ScimError, notFound } from './errors.ts';
import { refuseIfLdapOwned } from './owned.ts';
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from './schemas.ts';

/** Who is provisioning: the API token, which is also the actor of every audit entry. */
export interface ScimClient {
  tokenId: string;
  requestId: string | null;
}
const actorOf = (c: ScimClient) => `token:${c.tokenId}`;
const sourceOf = (c: ScimClient) => `scim:${c.tokenId}`;

/** The SCIM attributes Tessera keeps without acting on them. */
interface Kept {
  name?: ScimUserInput['name'];
  title?: string | null;
  enterprise?: ScimUserInput[typeof ENTERPRISE_SCHEMA];
}

type Row = UsersTable & { source: string | null; external_id: string | null; attributes: string | null };

function usersWithScim(db: Db | Tx) {
  return db
    .selectFrom('users')
    .leftJoin('scim_users', 'scim_users.user_id', 'users.id')
    .selectAll('users')
    .select(['scim_users.source', 'scim_users.external_id', 'scim_users.attributes']);
}

async function membershipsOf(db: Db | Tx, userIds: string[] | null): Promise<Map<string, Array<{ id: string; name: string }>>> {
  let q = db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select(['group_members.user_id', 'groups.id', 'groups.name']);
  if (userIds) q = q.where('group_members.user_id', 'in', userIds.length ? userIds : ['']);
  const out = new Map<string, Array<{ id: string; name: string }>>();
  for (const r of await q.orderBy('groups.name_key').execute()) out.set(r.user_id, [...(out.get(r.user_id) ?? []), { id: r.id, name: r.name }]);
  return out;
}

const compact = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== ''));

export function userResource(base: string, row: Row, groups: Array<{ id: string; name: string }>): Record<string, unknown> {
  const kept = (row.attributes ? JSON.parse(row.attributes) : {}) as Kept;
  const enterprise = kept.enterprise ? compact(kept.enterprise) : {};
  const hasEnterprise = Object.keys(enterprise).length > 0;
  const name = kept.name ? compact(kept.name) : {};
  return {
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.username,
    ...(Object.keys(name).length ? { name } : {}),
    ...(row.display_name ? { displayName: row.display_name } : {}),
    ...(kept.title ? { title: kept.title } : {}),
    active: row.status === 'active',
    ...(row.email ? { emails: [{ value: row.email, type: 'work', primary: true }] } : {}),
    groups: groups.map((g) => ({ value: g.id, display: g.name, $ref: `${base}/Groups/${g.id}` })),
    ...(hasEnterprise ? { [ENTERPRISE_SCHEMA]: enterprise } : {}),
    meta: { resourceType: 'User', created: row.created_at, lastModified: row.updated_at, location: `${base}/Users/${row.id}` },
  };
}

export async function listUserResources(db: Db | Tx, base: string): Promise<Array<Record<string, unknown>>> {
  const rows = await usersWithScim(db).orderBy('users.username_key').execute();
  const groups = await membershipsOf(db, null);
  return rows.map((r) => userResource(base, r, groups.get(r.id) ?? []));
}

export async function getUserResource(db: Db | Tx, base: string, id: string): Promise<Record<string, unknown>> {
  const row = await usersWithScim(db).where('users.id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`no User ${id}`);
  return userResource(base, row, (await membershipsOf(db, [id])).get(id) ?? []);
}

const emailSchema = z.email('must be an email address').max(254);

/** What the audit entry shows of a provisioned person. */
const view = (u: User, externalId: string | null, kept: Kept) => ({ ...u, externalId, ...kept });

async function setActive(trx: Tx, record: RecordAudit, client: ScimClient, user: User, active: boolean): Promise<void> {
  if ((user.status === 'active') === active) return;
  const status = active ? 'active' : 'disabled';
  if (!active) await refuseIfLastGlobalAdmin(trx, user.id, `deactivate ${user.username}`);
  const now = new Date().toISOString();
  await trx.updateTable('users').set({ status, updated_at: now }).where('id', '=', user.id).execute();
  const by = { actor: actorOf(client), target: `user:${user.id}`, requestId: client.requestId };
  await record({ ...by, action: active ? 'user.enable' : 'user.disable', before: user, after: { ...user, status, updatedAt: now } });
  if (!active) {
    // A leaver must be out at once: every Tessera session and app token ends with the deactivation.
    const ended = await endAccessIn(trx, user.id);
    await record({ ...by, action: 'session.revoke_all', after: { ...ended, reason: 'scim_deactivated' } });
  }
}

/** Creates (`id` null) or replaces a User from its full representation; returns its id. */
export async function putUser(store: Store, client: ScimClient, id: string | null, body: unknown): Promise<string> {
  const input = readUserInput(body);
  const email = chosenEmail(input.emails);
  if (email !== null && !emailSchema.safeParse(email).success) throw new ScimError(400, `emails: ${email} is not an email address`, 'invalidValue');
  const name = input.name ?? null;
  const displayName = input.displayName || name?.formatted || [name?.givenName, name?.familyName].filter(Boolean).join(' ') || null;
  const kept: Kept = { name, title: input.title ?? null, enterprise: input[ENTERPRISE_SCHEMA] ?? null };
  const externalId = input.externalId ?? null;
  return auditedChange(store, async (trx, record) => {
    const by = { actor: actorOf(client), requestId: client.requestId };
    let user: User;
    if (id === null) {
      user = await insertUser(trx, { username: input.userName, email, displayName });
      await record({ ...by, action: 'user.create', target: `user:${user.id}`, after: { ...view(user, externalId, kept), source: sourceOf(client) } });
    } else {
      const row = await usersWithScim(trx).where('users.id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`no User ${id}`);
      const before = toUser(row);
      if (before.kind === 'break_glass') throw new ScimError(403, 'a break-glass account is kept apart from every directory and cannot be changed over SCIM');
      await refuseIfLdapOwned(trx, 'User', id);
      const username = usernameSchema.parse(input.userName);
      const key = usernameKey(username);
      if (key !== row.username_key) {
        const clash = await trx.selectFrom('users').select('id').where('username_key', '=', key).where('id', '!=', id).executeTakeFirst();
        if (clash) throw new DuplicateUserError(`user ${username} already exists`);
      }
      const was = view(before, row.external_id, (row.attributes ? JSON.parse(row.attributes) : {}) as Kept);
      const wanted = view({ ...before, username, email, displayName }, externalId, kept);
      user = before;
      // An unchanged replacement (clients resend whole resources) changes nothing and writes no entry.
      if (JSON.stringify(was) !== JSON.stringify(wanted)) {
        const now = new Date().toISOString();
        await trx.updateTable('users').set({ username, username_key: key, email, display_name: displayName, updated_at: now }).where('id', '=', id).execute();
        user = { ...before, username, email, displayName, updatedAt: now };
        await record({ ...by, action: 'user.update', target: `user:${id}`, before: was, after: { ...view(user, externalId, kept), source: sourceOf(client) } });
      }
    }
    const scimRow: ScimUsersTable = { user_id: user.id, source: sourceOf(client), external_id: externalId, attributes: JSON.stringify(kept), updated_at: new Date().toISOString() };
    await trx.deleteFrom('scim_users').where('user_id', '=', user.id).execute();
    await trx.insertInto('scim_users').values(scimRow).execute();
    if (input.active !== undefined) await setActive(trx, record, client, user, input.active);
    return user.id;
  });
}

/** DELETE: the offboarding lifecycle (devices, credentials, sessions, tokens), then the account goes. */
export async function deleteScimUser(store: Store, client: ScimClient, id: string): Promise<void> {
  const user = await findUserById(store.db, id);
  if (!user) throw notFound(`no User ${id}`);
  if (user.kind === 'break_glass') throw new ScimError(403, 'a break-glass account is kept apart from every directory and cannot be deleted over SCIM');
  await refuseIfLdapOwned(store.db, 'User', id);
  const by = { actor: actorOf(client), requestId: client.requestId };
  await offboardUser(store, id, { ...by, reason: 'deleted by the SCIM client' });
  await deleteUser(store, id, by);
}
