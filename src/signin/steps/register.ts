import type { AppContext } from '../../app/context.ts';
import { beginTotpEnrolment, finishTotpEnrolment, loadTotpEnrolment, type TotpEnrolment } from '../../methods/totp/index.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { SIGNIN_TEXT } from '../texts.ts';

/**
 * Registration interrupt: a user who must use MFA but has no second factor
 * registers one inside the sign-in, after the password, before finishing.
 * Entering a correct code from the new authenticator proves possession, so it
 * counts as the second factor of this sign-in.
 */
export async function ensureTotpEnrolment(ctx: AppContext, t: SigninTransaction): Promise<TotpEnrolment> {
  // Showing the page again (a wrong code, a reload) keeps the secret the person may already have scanned.
  if (t.enrolmentId) {
    const pending = await loadTotpEnrolment(ctx, t.userId!, t.enrolmentId);
    if (pending) return pending;
  }
  const enrolment = await beginTotpEnrolment(ctx, t.userId!, { label: 'Authenticator app' });
  t.enrolmentId = enrolment.enrolmentId;
  await saveTransaction(ctx.store.db, t);
  return enrolment;
}

export async function submitTotpRegistration(
  ctx: AppContext,
  t: SigninTransaction,
  code: string,
  req: RequestFacts,
): Promise<StepOutcome> {
  if (!t.userId || !t.enrolmentId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  const cleaned = code.replace(/\s/g, '');
  t.methodsTried.push('totp');
  const result = await finishTotpEnrolment(ctx, t.userId, t.enrolmentId, cleaned, {
    actor: `user:${t.userId}`,
    requestId: req.requestId,
    ip: req.ip,
  });
  if (!result.ok) {
    await saveTransaction(ctx.store.db, t);
    await writeSigninLog(ctx.store.db, logBase(t, req, 'failure', `totp_registration_${result.reason}`));
    return show(t, SIGNIN_TEXT.registrationCodeWrong, 400);
  }
  t.enrolmentId = null;
  t.methodsUsed.push('totp');
  return decideNext(ctx, t);
}
