import type { AppContext } from '../../app/context.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { show, type StepOutcome } from './outcome.ts';

/** "Not you? Start again": forget who was typed and what was verified, keep the app and the binding. */
export async function restart(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  t.step = 'identify';
  t.userId = null;
  t.usernameTyped = null;
  t.methodsUsed = [];
  t.enrolmentId = null;
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
