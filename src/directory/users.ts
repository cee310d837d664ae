import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Tx } from '../store/store.ts';
import type { UserKind, UserStatus, UsersTable } from './tables.ts';

export const usernameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'may hold letters, digits and . _ @ + - only');

export const newUserSchema = z.object({
  username: usernameSchema,
  email: z.email('must be an email address').max(254).nullish(),
  displayName: z.string().trim().min(1).max(128).nullish(),
  kind: z.enum(['person', 'service', 'break_glass']).default('person'),
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

export class DuplicateUserError extends Error {
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

export async function findUserByUsername(db: Db | Tx, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function findUserById(db: Db | Tx, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function rolesOf(db: Db | Tx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('role_assignments').select('role').where('user_id', '=', userId).orderBy('role').execute();
  return rows.map((r) => r.role);
}
