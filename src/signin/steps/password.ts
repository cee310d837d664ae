import type { AppContext } from '../../app/context.ts';
import { findUserById } from '../../directory/users.ts';
import { checkPassword } from '../../methods/password/service.ts';
import { checkThrottle, recordFailure, recordSuccess } from '../../methods/throttle/index.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';

export const BAD_CREDENTIALS = 'Incorrect username or password.';

export function lockedMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return retryAfterMs < 60_000
    ? `Too many attempts. Wait ${Math.ceil(retryAfterMs / 1000)} seconds and try again.`
    : `Too many failed attempts: this is locked for about ${minutes} minute${minutes === 1 ? '' : 's'}. Try later or contact your helpdesk.`;
}

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
  const throttleKey = { userId: t.userId ?? `unknown:${(t.usernameTyped ?? '').toLowerCase()}`, method: 'password', ip: req.ip };

  const gate = await checkThrottle(ctx.store, throttleKey);
  if (!gate.allowed) {
    await writeSigninLog(db, logBase(t, req, 'locked', `password_${gate.reason}`));
    return show(t, lockedMessage(gate.retryAfterMs), 429);
  }

  const ok = await checkPassword(ctx.store, active ? t.userId! : undefined, password);
  t.methodsTried.push('password');
  if (!ok) {
    const after = await recordFailure(ctx.store, throttleKey);
    const reason = !user ? 'unknown_user' : !active ? 'user_disabled' : 'bad_password';
    await writeSigninLog(db, logBase(t, req, after.locked ? 'locked' : 'failure', after.locked ? `${reason}_locked` : reason));
    await saveTransaction(db, t);
    return show(t, after.locked ? lockedMessage(after.retryAfterMs ?? 15 * 60_000) : BAD_CREDENTIALS, 401);
  }
  await recordSuccess(ctx.store, throttleKey);
  t.methodsUsed.push('password');
  return decideNext(ctx, t);
}

export function logBase(t: SigninTransaction, req: RequestFacts, result: 'failure' | 'locked' | 'success' | 'interrupted', reason: string) {
  return {
    userId: t.userId,
    username: t.usernameTyped,
    clientId: t.clientId,
    ip: req.ip,
    userAgent: req.userAgent,
    methodsTried: t.methodsTried,
    methodsUsed: t.methodsUsed,
    result,
    reason,
    transactionId: t.id,
  };
}
