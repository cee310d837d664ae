import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { compiled, first } from '../store/compiled.ts';
import { auditedChange } from '../audit/append.ts';
import type { UserKind, UserStatus, UsersTable } from './tables.ts';
import { ConflictError, NotFoundError, type ChangedBy } from './errors.ts';
import { refuseIfLastGlobalAdmin } from './last-admin.ts';
import { hashAcceptablePassword, writePasswordHash } from './user-password.ts';

export const usernameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'may hold letters, digits and . _ @ + - only');

export const USER_KINDS = ['person', 'service', 'break_glass'] as const;
export const USER_STATUSES = ['active', 'disabled'] as const;
const emailSchema = z.email('must be an email address').max(254);
const displayNameSchema = z.string().trim().min(1, 'must not be empty').max(128);

export const newUserSchema = z.object({
  username: usernameSchema,
  email: emailSchema.nullish(),
  displayName: displayNameSchema.nullish(),
  kind: z.enum(USER_KINDS).default('person'),
});
export type NewUser = z.input<typeof newUserSchema>;

export interface User {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  status: UserStatus;
  kind: UserKind;
  createdAt: string;
  updatedAt: string;
}

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    kind: row.kind,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export class DuplicateUserError extends ConflictError {
  override name = 'DuplicateUserError';
}

/** Inserts a user; the caller holds the transaction and writes the audit entry. */
export async function insertUser(trx: Tx, input: NewUser): Promise<User> {
  const data = newUserSchema.parse(input);
  const key = usernameKey(data.username);
  const existing = await trx.selectFrom('users').select('id').where('username_key', '=', key).executeTakeFirst();
  if (existing) throw new DuplicateUserError(`user ${data.username} already exists`);
  const now = new Date().toISOString();
  const row: UsersTable = {
    id: randomUUID(),
    username: data.username,
    username_key: key,
    email: data.email ?? null,
    display_name: data.displayName ?? null,
    status: 'active',
    kind: data.kind,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('users').values(row).execute();
  return toUser(row);
}

// Looked up several times in every sign-in: compiled once (src/store/compiled.ts).
const userByUsernameKey = compiled((db, key: string) => db.selectFrom('users').selectAll().where('username_key', '=', key));
const userById = compiled((db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id));
const rolesOfUser = compiled((db, userId: string) => db.selectFrom('role_assignments').select('role').where('user_id', '=', userId).orderBy('role'));

export async function findUserByUsername(db: Db | Tx, username: string): Promise<User | undefined> {
  const row = await first(userByUsernameKey(db, usernameKey(username)));
  return row ? toUser(row) : undefined;
}

export async function findUserById(db: Db | Tx, id: string): Promise<User | undefined> {
  const row = await first(userById(db, id));
  return row ? toUser(row) : undefined;
}

export async function rolesOf(db: Db | Tx, userId: string): Promise<string[]> {
  const { rows } = await rolesOfUser(db, userId);
  return rows.map((r) => r.role);
}

// ---- the users service: every change below is audited ----

/** Finds a user by id or, failing that, by username (case-insensitive). */
export async function resolveUser(db: Db | Tx, ref: string): Promise<User> {
  const user = (await findUserById(db, ref)) ?? (await findUserByUsername(db, ref));
  if (!user) throw new NotFoundError(`no user ${ref}`);
  return user;
}

export const userFilterSchema = z.object({
  status: z.enum(USER_STATUSES).optional(),
  kind: z.enum(USER_KINDS).optional(),
  /** Matches the start of the username, or anywhere in the email or display name. */
  search: z.string().trim().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type UserFilter = z.input<typeof userFilterSchema>;

function likePattern(text: string, anchored: boolean): string {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return anchored ? `${escaped}%` : `%${escaped}%`;
}

export async function listUsers(db: Db | Tx, filter: UserFilter = {}): Promise<User[]> {
  const f = userFilterSchema.parse(filter);
  let q = db.selectFrom('users').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.search) {
    const start = likePattern(usernameKey(f.search), true);
    const inside = likePattern(f.search, false);
    q = q.where(
      sql<boolean>`(username_key like ${start} escape '\\' or lower(coalesce(email, '')) like ${inside} escape '\\' or lower(coalesce(display_name, '')) like ${inside} escape '\\')`,
    );
  }
  const rows = await q.orderBy('username_key').limit(f.limit).offset(f.offset).execute();
  return rows.map(toUser);
}

export interface CreateUserInput extends NewUser {
  /** Optional first password; checked against the rules and stored as argon2id. */
  password?: string;
}

/** `issuer`: the service's public URL, whose host name a password must not contain. */
export async function createUser(store: Store, input: CreateUserInput, by: ChangedBy, options: { issuer?: string } = {}): Promise<User> {
  const data = newUserSchema.parse(input);
  // A new account has no second factor yet, so its password alone must be strong enough.
  const hash = input.password === undefined ? null : await hashAcceptablePassword(input.password, data, true, options.issuer);
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, data);
    await record({ actor: by.actor, action: 'user.create', target: `user:${user.id}`, requestId: by.requestId, after: user });
    if (hash) {
      await writePasswordHash(trx, user.id, hash);
      await record({ actor: by.actor, action: 'method.password.set', target: `user:${user.id}`, requestId: by.requestId });
    }
    return user;
  });
}

export const userPatchSchema = z.strictObject({
  username: usernameSchema.optional(),
  email: emailSchema.nullable().optional(),
  displayName: displayNameSchema.nullable().optional(),
  kind: z.enum(USER_KINDS).optional(),
});
export type UserPatch = z.input<typeof userPatchSchema>;

/** Changes profile fields; an empty or unchanged patch changes nothing and writes no entry. */
export async function updateUser(store: Store, ref: string, patch: UserPatch, by: ChangedBy): Promise<User> {
  const p = userPatchSchema.parse(patch);
  return auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, ref);
    const set: Partial<UsersTable> = {};
    if (p.username !== undefined && p.username !== before.username) {
      const key = usernameKey(p.username);
      const clash = await trx.selectFrom('users').select('id').where('username_key', '=', key).where('id', '!=', before.id).executeTakeFirst();
      if (clash) throw new DuplicateUserError(`user ${p.username} already exists`);
      set.username = p.username;
      set.username_key = key;
    }
    if (p.email !== undefined && p.email !== before.email) set.email = p.email;
    if (p.displayName !== undefined && p.displayName !== before.displayName) set.display_name = p.displayName;
    if (p.kind !== undefined && p.kind !== before.kind) set.kind = p.kind;
    if (Object.keys(set).length === 0) return before;
    set.updated_at = new Date().toISOString();
    await trx.updateTable('users').set(set).where('id', '=', before.id).execute();
    const after = toUser((await trx.selectFrom('users').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow()));
    await record({ actor: by.actor, action: 'user.update', target: `user:${before.id}`, requestId: by.requestId, before, after });
    return after;
  });
}

/** Disables or re-enables an account; disabling the last active global admin is refused. */
export async function setUserStatus(store: Store, ref: string, status: UserStatus, by: ChangedBy): Promise<User> {
  return auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, ref);
    if (before.status === status) return before;
    if (status === 'disabled') await refuseIfLastGlobalAdmin(trx, before.id, `disable ${before.username}`);
    const now = new Date().toISOString();
    await trx.updateTable('users').set({ status, updated_at: now }).where('id', '=', before.id).execute();
    const after: User = { ...before, status, updatedAt: now };
    const action = status === 'disabled' ? 'user.disable' : 'user.enable';
    await record({ actor: by.actor, action, target: `user:${before.id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export const disableUser = (store: Store, ref: string, by: ChangedBy) => setUserStatus(store, ref, 'disabled', by);
export const enableUser = (store: Store, ref: string, by: ChangedBy) => setUserStatus(store, ref, 'active', by);

/** Deletes an account and everything hanging off it; the last active global admin cannot be deleted. */
export async function deleteUser(store: Store, ref: string, by: ChangedBy): Promise<User> {
  return auditedChange(store, async (trx, record) => {
    const before = await resolveUser(trx, ref);
    await refuseIfLastGlobalAdmin(trx, before.id, `delete ${before.username}`);
    await trx.deleteFrom('users').where('id', '=', before.id).execute();
    await record({ actor: by.actor, action: 'user.delete', target: `user:${before.id}`, requestId: by.requestId, before });
    return before;
  });
}

/**
 * Ends what a user is signed in with (sessions, app tokens) inside the caller's
 * transaction and says what it ended. Supplied by the caller because the
 * session and token stores sit above the directory.
 */
export type EndAccess = (trx: Tx, userId: string) => Promise<Record<string, number>>;

/**
 * Sets or replaces a user's password. `singleFactor` defaults to true (the
 * longer minimum) until the caller knows the user has a second factor. With
 * `endAccess` (an admin's reset), whoever holds the old password or a session
 * made with it is signed out everywhere in the same transaction, audited as
 * 'session.revoke_all' beside the password change: there is no moment when the
 * new password is set and the old sessions still work.
 */
export async function setUserPassword(
  store: Store,
  ref: string,
  password: string,
  by: ChangedBy,
  options: { singleFactor?: boolean; endAccess?: EndAccess; issuer?: string } = {},
): Promise<void> {
  const user = await resolveUser(store.db, ref);
  const hash = await hashAcceptablePassword(password, user, options.singleFactor ?? true, options.issuer);
  await auditedChange(store, async (trx, record) => {
    // Looked up again inside the lock: the user may have gone while the hash was made.
    const current = await resolveUser(trx, user.id);
    const how = await writePasswordHash(trx, current.id, hash);
    await record({ actor: by.actor, action: `method.password.${how}`, target: `user:${current.id}`, requestId: by.requestId });
    if (options.endAccess) {
      const ended = await options.endAccess(trx, current.id);
      await record({ actor: by.actor, action: 'session.revoke_all', target: `user:${current.id}`, requestId: by.requestId, after: { ...ended, reason: 'password_reset' } });
    }
  });
}
