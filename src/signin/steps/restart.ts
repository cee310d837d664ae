import type { AppContext } from '../../app/context.ts';
import { logEndedWithoutTokens, saveTransaction, type SigninTransaction } from '../transaction.ts';
import { show, type StepOutcome } from './outcome.ts';

/**
 * "Not you? Start again": forget who was typed and what was verified, keep the
 * app and the binding. The attempt it ends is one sign-in log row, like every
 * sign-in that ends without tokens (a pass redeemed and given up this way is
 * abandoned_after_pass: the pass is used up).
 */
export async function restart(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  if (t.userId || t.usernameTyped) await logEndedWithoutTokens(ctx.store.db, t, `restarted_at_${t.step}`);
  t.step = 'identify';
  t.userId = null;
  t.usernameTyped = null;
  t.methodsUsed = [];
  t.methodsTried = [];
  t.methodDetails = {};
  t.enrolmentId = null;
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
