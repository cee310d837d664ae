import type { AppContext } from '../../app/context.ts';
import { findUserByUsername } from '../../directory/users.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { show, type StepOutcome } from './outcome.ts';
import { SIGNIN_TEXT } from '../texts.ts';

/**
 * The name is remembered and the person always moves on to the password step,
 * known or not, active or not: the answer must not tell who has an account.
 */
export async function submitUsername(ctx: AppContext, t: SigninTransaction, username: string): Promise<StepOutcome> {
  const typed = username.trim();
  if (!typed) return show(t, SIGNIN_TEXT.enterUsername, 400);
  if (typed.length > 256) return show(t, SIGNIN_TEXT.usernameTooLong, 400);
  const user = await findUserByUsername(ctx.store.db, typed).catch(() => undefined);
  t.usernameTyped = typed;
  t.userId = user?.id ?? null;
  t.step = 'password';
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
