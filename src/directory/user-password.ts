import type { Tx } from '../store/store.ts';
import { hashPassword } from '../methods/password/hash.ts';
import { passwordProblem } from '../methods/password/policy.ts';
import { InvalidInputError } from './errors.ts';

/**
 * Checks a new password against the rules and hashes it (argon2id). Called
 * before the audited transaction opens, so the slow hash never holds the lock.
 * `singleFactor` is true while the account has no second factor, which asks for
 * a longer password; callers that cannot tell yet pass true, the stricter rule.
 * `issuer` (the service's public URL) lets the rules refuse its host name too.
 */
export async function hashAcceptablePassword(
  password: string,
  account: { username: string; email?: string | null; displayName?: string | null },
  singleFactor: boolean,
  issuer?: string,
): Promise<string> {
  const problem = passwordProblem({
    password, username: account.username, email: account.email, displayName: account.displayName, issuer, singleFactor,
  });
  if (problem) throw new InvalidInputError(`password ${problem}`);
  return hashPassword(password);
}

/** Stores (or replaces) a user's password hash inside the caller's transaction. */
export async function writePasswordHash(trx: Tx, userId: string, hash: string): Promise<'set' | 'changed'> {
  const now = new Date().toISOString();
  const existing = await trx.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId).executeTakeFirst();
  if (existing) {
    await trx.updateTable('password_credentials').set({ hash, updated_at: now }).where('user_id', '=', userId).execute();
    return 'changed';
  }
  await trx.insertInto('password_credentials').values({ user_id: userId, hash, created_at: now, updated_at: now }).execute();
  return 'set';
}

export async function hasPassword(db: Pick<Tx, 'selectFrom'>, userId: string): Promise<boolean> {
  const row = await db.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId).executeTakeFirst();
  return !!row;
}
