import type { Store } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { findUserById } from '../../directory/users.ts';
import { MethodError, PasswordRejectedError } from '../errors.ts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './hash.ts';
import { MAX_LENGTH, passwordProblem } from './policy.ts';

export interface SetPasswordOptions {
  actor: string;
  requestId?: string | null;
  /** True when the password is the account's only factor: NIST then asks for 15 characters. */
  singleFactor?: boolean;
  /** The service's public URL: the password must not contain its host name. */
  issuer?: string;
  now?: Date;
}

/**
 * Sets or replaces a user's password after checking it against the rules.
 * Throws PasswordRejectedError (with the reason to show) when refused, and
 * MethodError 'user_not_found' for an unknown user. Audited 'method.password.set'.
 */
export async function setPassword(store: Store, userId: string, password: string, options: SetPasswordOptions): Promise<void> {
  const user = await findUserById(store.db, userId);
  if (!user) throw new MethodError('user_not_found', 'no such user');
  const problem = passwordProblem({
    password, username: user.username, email: user.email, displayName: user.displayName, issuer: options.issuer, singleFactor: options.singleFactor,
  });
  if (problem) throw new PasswordRejectedError(problem);
  // Hashed before the transaction opens, so the slow hash never holds the audit lock.
  const hash = await hashPassword(password);
  const now = (options.now ?? new Date()).toISOString();
  await auditedChange(store, async (trx, record) => {
    const existing = await trx.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    if (existing) {
      await trx.updateTable('password_credentials').set({ hash, updated_at: now }).where('user_id', '=', userId).execute();
    } else {
      await trx.insertInto('password_credentials').values({ user_id: userId, hash, created_at: now, updated_at: now }).execute();
    }
    await record({
      actor: options.actor,
      action: 'method.password.set',
      target: `user:${userId}`,
      requestId: options.requestId,
      after: { replaced: !!existing },
    });
  });
}

/**
 * Checks a password. An unknown user, or one without a password, is checked
 * against a dummy argon2id hash, so the answer takes as long either way and
 * timing does not reveal which accounts exist. A hash made with older
 * parameters is replaced transparently after a successful check.
 *
 * This is only the comparison: sign-in calls it inside throttledVerification
 * (methods/throttle) so every try is rate-limited.
 */
export async function checkPassword(store: Store, userId: string | undefined, password: string, now = new Date()): Promise<boolean> {
  const row = userId
    ? await store.db.selectFrom('password_credentials').select(['hash']).where('user_id', '=', userId).executeTakeFirst()
    : undefined;
  // Longer than any password we accept: compare a bounded prefix so huge input costs no more.
  const tooLong = [...password].length > MAX_LENGTH;
  const candidate = tooLong ? password.slice(0, MAX_LENGTH * 2) : password;
  if (!row || !userId) {
    await verifyPassword(await dummyHash(), candidate);
    return false;
  }
  const ok = (await verifyPassword(row.hash, candidate)) && !tooLong;
  if (!ok) return false;
  const set: { last_used_at: string; hash?: string; updated_at?: string } = { last_used_at: now.toISOString() };
  if (needsRehash(row.hash)) {
    set.hash = await hashPassword(password);
    set.updated_at = now.toISOString();
  }
  // Not audited: the password itself is unchanged, only its stored form is upgraded.
  // Conditional on the hash we verified, so a password changed meanwhile is never overwritten by the old one.
  await store.db.updateTable('password_credentials').set(set).where('user_id', '=', userId).where('hash', '=', row.hash).execute();
  return true;
}

/** Whether the user has a password at all. */
export async function hasPassword(store: Store, userId: string): Promise<boolean> {
  return !!(await store.db.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId).executeTakeFirst());
}
