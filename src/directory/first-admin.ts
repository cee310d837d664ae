import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import { issueToken, parseToken, secretMatches } from '../app/opaque-token.ts';
import { hashPassword } from '../methods/password/hash.ts';
import { passwordProblem } from '../methods/password/policy.ts';
import { insertUser, type User } from './users.ts';

/**
 * First run: no default password exists. While no active global admin exists,
 * each start issues a one-time set-up token valid for an hour (replacing any
 * earlier one); redeeming it creates the first global admin.
 */
export const SETUP_TOKEN_PREFIX = 'tsetup';
export const SETUP_TOKEN_TTL_MS = 60 * 60 * 1000;

export async function countActiveGlobalAdmins(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('role_assignments')
    .innerJoin('users', 'users.id', 'role_assignments.user_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role_assignments.role', '=', 'global_admin')
    .where('users.status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function issueSetupTokenIfNeeded(store: Store): Promise<{ token: string; expiresAt: string } | null> {
  if ((await countActiveGlobalAdmins(store)) > 0) return null;
  const issued = issueToken(SETUP_TOKEN_PREFIX);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SETUP_TOKEN_TTL_MS).toISOString();
  await auditedChange(store, async (trx, record) => {
    await trx.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
    await trx
      .insertInto('setup_tokens')
      .values({ id: issued.id, secret_hash: issued.secretHash, created_at: now.toISOString(), expires_at: expiresAt, used_at: null })
      .execute();
    await record({ actor: 'system', action: 'setup.token_issued', target: `setup:${issued.id}`, after: { expires_at: expiresAt } });
  });
  return { token: issued.token, expiresAt };
}

export class SetupError extends Error {
  override name = 'SetupError';
}

/** Checks a set-up token without using it (for showing the form). */
export async function setupTokenIsUsable(store: Store, token: string): Promise<boolean> {
  const parsed = parseToken(SETUP_TOKEN_PREFIX, token);
  if (!parsed) return false;
  const row = await store.db.selectFrom('setup_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  return !!row && !row.used_at && row.expires_at > new Date().toISOString() && secretMatches(parsed.secret, row.secret_hash);
}

export interface FirstAdminInput {
  token: string;
  username: string;
  email?: string | null;
  displayName?: string | null;
  password: string;
  /** The service's public URL: the password must not contain its host name. */
  issuer?: string;
}

export async function createFirstAdmin(store: Store, input: FirstAdminInput, requestId?: string): Promise<User> {
  const parsed = parseToken(SETUP_TOKEN_PREFIX, input.token);
  if (!parsed) throw new SetupError('this set-up link is not valid');
  // An admin signs in with MFA, but this password guards the account until the first factor is added.
  const problem = passwordProblem({
    password: input.password, username: input.username, email: input.email, displayName: input.displayName, issuer: input.issuer, singleFactor: true,
  });
  if (problem) throw new SetupError(`password ${problem}`);
  const hash = await hashPassword(input.password);
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('setup_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
    const now = new Date().toISOString();
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) throw new SetupError('this set-up link is not valid');
    if (row.used_at) throw new SetupError('this set-up link has already been used');
    if (row.expires_at <= now) throw new SetupError('this set-up link has expired; restart the server for a new one');
    // Marking the token used first, conditionally, makes two racing submissions create one admin.
    const used = await trx
      .updateTable('setup_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new SetupError('this set-up link has already been used');
    const admins = await trx
      .selectFrom('role_assignments')
      .select(sql<number>`count(*)`.as('n'))
      .where('role', '=', 'global_admin')
      .executeTakeFirstOrThrow();
    if (Number(admins.n) > 0) throw new SetupError('a global admin already exists; sign in instead');

    const user = await insertUser(trx, { username: input.username, email: input.email, displayName: input.displayName });
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash, created_at: now, updated_at: now }).execute();
    await trx.insertInto('role_assignments').values({ user_id: user.id, role: 'global_admin', granted_at: now, granted_by: 'setup' }).execute();
    const actor = `setup:${row.id}`;
    await record({ actor, action: 'user.create', target: `user:${user.id}`, requestId, after: user });
    await record({ actor, action: 'method.password.set', target: `user:${user.id}`, requestId });
    await record({ actor, action: 'role.grant', target: `user:${user.id}`, requestId, after: { role: 'global_admin' } });
    return user;
  });
}
