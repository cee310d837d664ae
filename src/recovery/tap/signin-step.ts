import type { AppContext } from '../../app/context.ts';
import { saveTransaction, type SigninTransaction } from '../../signin/transaction.ts';
import { show, type RequestFacts, type StepOutcome } from '../../signin/steps/outcome.ts';
import { proveFactor } from '../../signin/steps/prove.ts';
import { BAD_PASS, SIGNIN_TEXT } from '../../signin/texts.ts';
import { tapFactor } from './factor.ts';

/**
 * Signing in with a Temporary Access Pass: the username, then the pass instead
 * of the password. A pass counts as MFA strength (never phishing-resistant)
 * and the sign-in goes straight on to registering a new method (the
 * registration interrupt: the one the decision asks for, a key when the app
 * or the person's role needs phishing resistance); the session it ends in
 * lasts no longer than the pass.
 */
export { BAD_PASS };

/** "Use a Temporary Access Pass" on the password page: offered for every typed name, known or not. */
export async function chooseTap(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  if (!t.usernameTyped) return show(t, SIGNIN_TEXT.enterUsernameFirst, 400);
  t.step = 'tap';
  await saveTransaction(ctx.store.db, t);
  return show(t);
}

/** Back from the pass page to the password. */
export async function choosePassword(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  t.step = 'password';
  await saveTransaction(ctx.store.db, t);
  return show(t);
}

export async function submitTap(ctx: AppContext, t: SigninTransaction, pass: string, req: RequestFacts): Promise<StepOutcome> {
  if (!pass.trim()) return show(t, SIGNIN_TEXT.enterPass, 400);
  // What the pass leads to (a key to register when the app asks for a phishing-resistant
  // sign-in) is the access decision's to say, through the engine, like every other step.
  const next = await proveFactor(ctx, t, tapFactor, pass, req);
  if (!t.methodsUsed.includes('tap')) return next;
  // The engine says what else this sign-in needs (a security key to register, for an admin who
  // must be phishing-resistant); when the pass is already enough, the registration interrupt follows.
  const step: string = next.transaction.step;
  if (next.kind === 'complete' || step === 'campaign' || step === 'done') {
    t.step = 'register_totp';
    await saveTransaction(ctx.store.db, t);
    return show(t);
  }
  return next;
}
