import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { auditedChange } from '../../audit/append.ts';
import { DirectoryError, type ChangedBy } from '../../directory/errors.ts';
import { refuseIfLastGlobalAdmin } from '../../directory/last-admin.ts';
import { insertUser, resolveUser, toUser, usernameKey } from '../../directory/users.ts';
import { hashPassword } from '../../methods/password/hash.ts';
import { offboardUser } from '../../recovery/devices/offboard.ts';
import type { Store, Tx } from '../../store/store.ts';
import { endAccessIn } from '../../signin/session/revoke-everywhere.ts';
import type { Change } from './plan.ts';
import type { DirectorySource } from './sources.ts';

/**
 * One planned change made, with its audit entry, as the source: the actor of
 * every entry is `ldap:<source name>`. Each change is its own transaction, so
 * one refused change (the last global admin) does not undo the others.
 */
const email = z.email().max(254);
const cleanEmail = (v: string | null | undefined) => (v && email.safeParse(v).success ? v : null);
const cleanName = (v: string | null | undefined) => (v ? v.slice(0, 128) : null);

async function userIdOf(trx: Tx, username: string): Promise<string> {
  return (await resolveUser(trx, username)).id;
}

/**
 * A person whose password lives in the directory still needs the password to
 * count as a registered method; the stored hash is of random bytes nobody
 * knows, so if the source is removed the old password cannot work here.
 */
async function placeholderHash(source: DirectorySource): Promise<string | null> {
  return source.settings.passwordBind ? hashPassword(randomBytes(32).toString('base64url')) : null;
}

async function create(store: Store, source: DirectorySource, c: Extract<Change, { kind: 'create' }>, by: ChangedBy, now: string): Promise<void> {
  const hash = await placeholderHash(source);
  await auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username: c.person.username, email: cleanEmail(c.person.email), displayName: cleanName(c.person.displayName) });
    await trx.insertInto('ldap_users').values({ user_id: user.id, source_id: source.id, dn: c.person.dn, missing_since: null, offboarded_at: null, synced_at: now }).execute();
    if (c.person.disabled) await trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    if (hash) await trx.insertInto('password_credentials').values({ user_id: user.id, hash, created_at: now, updated_at: now }).execute();
    const after = { ...user, status: c.person.disabled ? 'disabled' : 'active', source: by.actor, dn: c.person.dn, passwordInDirectory: !!hash };
    await record({ ...by, action: 'user.create', target: `user:${user.id}`, after });
  });
}

/** A local account the directory has too becomes the source's: its profile and state are the directory's from now on. */
async function adopt(store: Store, source: DirectorySource, c: Extract<Change, { kind: 'adopt' }>, by: ChangedBy, now: string): Promise<void> {
  const hash = await placeholderHash(source);
  await auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, c.person.username);
    const status = c.person.disabled ? 'disabled' : 'active';
    if (status === 'disabled' && before.status === 'active') await refuseIfLastGlobalAdmin(trx, before.id, `disable ${before.username}`);
    await trx.insertInto('ldap_users').values({ user_id: before.id, source_id: source.id, dn: c.person.dn, missing_since: null, offboarded_at: null, synced_at: now }).execute();
    await trx.updateTable('users').set({ email: cleanEmail(c.person.email), display_name: cleanName(c.person.displayName), status, updated_at: now }).where('id', '=', before.id).execute();
    // The local password, if any, is kept: should the source go, it works again. A directory password needs a row to count as a method.
    if (hash) await trx.insertInto('password_credentials').values({ user_id: before.id, hash, created_at: now, updated_at: now }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
    const after = toUser(await trx.selectFrom('users').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow());
    await record({ ...by, action: 'directory.person.adopt', target: `user:${before.id}`, before, after: { ...after, source: by.actor, dn: c.person.dn } });
    if (status === 'disabled' && before.status === 'active') {
      await record({ ...by, action: 'session.revoke_all', target: `user:${before.id}`, after: { ...(await endAccessIn(trx, before.id)), reason: 'disabled_by_directory' } });
    }
  });
}

async function update(store: Store, c: Extract<Change, { kind: 'update' }>, by: ChangedBy, now: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, c.username);
    const set: { email?: string | null; display_name?: string | null; updated_at: string } = { updated_at: now };
    if (c.email !== undefined) set.email = cleanEmail(c.email);
    if (c.displayName !== undefined) set.display_name = cleanName(c.displayName);
    await trx.updateTable('users').set(set).where('id', '=', before.id).execute();
    await trx.updateTable('ldap_users').set({ dn: c.dn, synced_at: now }).where('user_id', '=', before.id).execute();
    const after = toUser(await trx.selectFrom('users').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow());
    await record({ ...by, action: 'user.update', target: `user:${before.id}`, before, after: { ...after, dn: c.dn } });
  });
}

async function setStatus(store: Store, c: Extract<Change, { kind: 'disable' | 'enable' }>, by: ChangedBy, now: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, c.username);
    if (c.kind === 'disable' && c.why === 'gone from the directory') {
      await trx.updateTable('ldap_users').set({ missing_since: now }).where('user_id', '=', before.id).execute();
    }
    const status = c.kind === 'disable' ? 'disabled' : 'active';
    if (before.status === status) return;
    if (status === 'disabled') await refuseIfLastGlobalAdmin(trx, before.id, `disable ${before.username}`);
    await trx.updateTable('users').set({ status, updated_at: now }).where('id', '=', before.id).execute();
    const reason = c.kind === 'disable' ? c.why : 'enabled in the directory';
    await record({ ...by, action: `user.${c.kind}`, target: `user:${before.id}`, before, after: { ...before, status, updatedAt: now, reason } });
    // As for a SCIM deactivation: a disabled person keeps no session and no app token.
    if (status === 'disabled') await record({ ...by, action: 'session.revoke_all', target: `user:${before.id}`, after: { ...(await endAccessIn(trx, before.id)), reason: 'disabled_by_directory' } });
  });
}

async function returned(store: Store, source: DirectorySource, c: Extract<Change, { kind: 'returned' }>, by: ChangedBy, now: string): Promise<void> {
  const hash = await placeholderHash(source);
  await auditedChange(store, async (trx, record) => {
    const id = await userIdOf(trx, c.username);
    await trx.updateTable('ldap_users').set({ missing_since: null, offboarded_at: null }).where('user_id', '=', id).execute();
    // Offboarding removed every credential; a directory password needs its row back to count as a method.
    if (hash) await trx.insertInto('password_credentials').values({ user_id: id, hash, created_at: now, updated_at: now }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
    await record({ ...by, action: 'directory.person.returned', target: `user:${id}` });
  });
}

async function offboard(store: Store, c: Extract<Change, { kind: 'offboard' }>, by: ChangedBy, now: string): Promise<void> {
  const user = await resolveUser(store.db, c.username);
  await offboardUser(store, user.id, { ...by, reason: `gone from the directory since ${c.missingSince}` });
  await store.db.updateTable('ldap_users').set({ offboarded_at: now }).where('user_id', '=', user.id).execute();
}

async function groupAdopt(store: Store, source: DirectorySource, c: Extract<Change, { kind: 'group_adopt' }>, by: ChangedBy, now: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const group = await trx.selectFrom('groups').select(['id', 'name']).where('name_key', '=', c.name.normalize('NFKC').toLowerCase()).executeTakeFirstOrThrow();
    await trx.insertInto('ldap_groups').values({ group_id: group.id, source_id: source.id, dn: c.dn, synced_at: now }).execute();
    await record({ ...by, action: 'directory.group.adopt', target: `group:${group.id}`, after: { ...group, source: by.actor, dn: c.dn } });
  });
}

async function groupCreate(store: Store, source: DirectorySource, c: Extract<Change, { kind: 'group_create' }>, by: ChangedBy, now: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const id = randomUUID();
    await trx.insertInto('groups').values({ id, name: c.name, name_key: c.name.normalize('NFKC').toLowerCase(), description: `synced from ${source.name}`, created_at: now }).execute();
    await trx.insertInto('ldap_groups').values({ group_id: id, source_id: source.id, dn: c.dn, synced_at: now }).execute();
    await record({ ...by, action: 'group.create', target: `group:${id}`, after: { id, name: c.name, source: by.actor, dn: c.dn } });
  });
}

async function membership(store: Store, c: Extract<Change, { kind: 'member_add' | 'member_remove' }>, by: ChangedBy, now: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const group = await trx.selectFrom('groups').select('id').where('name_key', '=', c.group.normalize('NFKC').toLowerCase()).executeTakeFirstOrThrow();
    const user = await trx.selectFrom('users').select(['id', 'username']).where('username_key', '=', usernameKey(c.username)).executeTakeFirstOrThrow();
    const member = { user_id: user.id, username: user.username };
    if (c.kind === 'member_add') {
      await trx.insertInto('group_members').values({ group_id: group.id, user_id: user.id, added_at: now }).execute();
      await record({ ...by, action: 'group.member.add', target: `group:${group.id}`, after: member });
    } else {
      await trx.deleteFrom('group_members').where('group_id', '=', group.id).where('user_id', '=', user.id).execute();
      await record({ ...by, action: 'group.member.remove', target: `group:${group.id}`, before: member });
    }
  });
}

/** Makes one change; a change the directory rules refuse comes back as the reason, for the report. */
export async function applyChange(store: Store, source: DirectorySource, c: Change, by: ChangedBy, now: Date): Promise<string | null> {
  const at = now.toISOString();
  try {
    switch (c.kind) {
      case 'create': await create(store, source, c, by, at); break;
      case 'adopt': await adopt(store, source, c, by, at); break;
      case 'group_adopt': await groupAdopt(store, source, c, by, at); break;
      case 'update': await update(store, c, by, at); break;
      case 'disable': case 'enable': await setStatus(store, c, by, at); break;
      case 'returned': await returned(store, source, c, by, at); break;
      case 'offboard': await offboard(store, c, by, at); break;
      case 'group_create': await groupCreate(store, source, c, by, at); break;
      case 'member_add': case 'member_remove': await membership(store, c, by, at); break;
      case 'skip': break;
    }
    return null;
  } catch (err) {
    if (err instanceof DirectoryError) return err.message;
    throw err;
  }
}
