import type { AppContext } from '../../app/context.ts';
import { findUserById } from '../../directory/users.ts';
import { verifyPasswordAttempt } from '../../methods/password/attempt.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { lockedMessage, SIGNIN_TEXT } from '../texts.ts';

export const BAD_CREDENTIALS = SIGNIN_TEXT.badCredentials;

/**
 * First factor. An unknown or disabled account goes through the same argon2id
 * verification (against a dummy hash) and gets the same message as a wrong
 * password, so neither timing nor wording reveals which names exist.
 */
export async function submitPassword(
  ctx: AppContext,
  t: SigninTransaction,
  password: string,
  req: RequestFacts,
): Promise<StepOutcome> {
  const db = ctx.store.db;
  const user = t.userId ? await findUserById(db, t.userId) : undefined;
  const active = user?.status === 'active';
  t.methodsTried.push('password');
  // The throttle is checked and counted in one step before the hash is compared, so a
  // parallel burst of guesses cannot all slip past the limit. Unknown names are throttled too.
  const result = await verifyPasswordAttempt(ctx.store, {
    userId: active ? t.userId! : undefined,
    throttleAs: t.userId ?? `unknown:${(t.usernameTyped ?? '').toLowerCase()}`,
    password,
    ip: req.ip,
  });
  if (!result.ok) {
    await saveTransaction(db, t);
    const why = !user ? 'unknown_user' : !active ? 'user_disabled' : 'bad_password';
    if (result.reason === 'locked' || result.justLocked) {
      // justLocked: this very failure tripped the lock; otherwise the lock refused the attempt.
      const reason = result.justLocked ? `${why}_locked` : `password_${result.throttle ?? 'locked'}`;
      await writeSigninLog(db, logBase(t, req, 'locked', reason));
      return show(t, lockedMessage(result.retryAfterMs), 429);
    }
    await writeSigninLog(db, logBase(t, req, 'failure', why));
    return show(t, BAD_CREDENTIALS, 401);
  }
  t.methodsUsed.push('password');
  return decideNext(ctx, t);
}
