import type { AppContext } from '../../app/context.ts';
import { findUserById } from '../../directory/users.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { ACR, acrRank } from '../../signin/acr.ts';
import { saveTransaction, type SigninTransaction } from '../../signin/transaction.ts';
import { show, type RequestFacts, type StepOutcome } from '../../signin/steps/outcome.ts';
import { decideNext } from '../../signin/steps/next.ts';
import { logBase } from '../../signin/steps/log.ts';
import { lockedMessage } from '../../signin/texts.ts';
import { verifyTap, type TapRefusal } from './verify.ts';

/**
 * Signing in with a Temporary Access Pass: the username, then the pass instead
 * of the password. A pass counts as MFA strength (never phishing-resistant)
 * and the sign-in goes straight on to registering a new method (the
 * registration interrupt); the session it ends in lasts no longer than the pass.
 */
export const BAD_PASS = 'That Temporary Access Pass is not valid. Check it with your helpdesk.';

const REFUSED: Record<TapRefusal, string> = {
  pending_approval: 'This pass is waiting for a second administrator to approve it. Try again once your helpdesk confirms it is approved.',
  not_yet_valid: 'This pass is not valid yet. Use it from the start time your helpdesk gave you.',
  expired: 'This pass has expired. Ask your helpdesk for a new one.',
  used: 'This pass was already used. Ask your helpdesk for a new one.',
  revoked: BAD_PASS,
  replaced: BAD_PASS,
};

/** "Use a Temporary Access Pass" on the password page: offered for every typed name, known or not. */
export async function chooseTap(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  if (!t.usernameTyped) return show(t, 'Enter your username first.', 400);
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
  const db = ctx.store.db;
  if (!pass.trim()) return show(t, 'Enter the pass your helpdesk gave you.', 400);
  // A pass never reaches phishing-resistant strength: do not use one up on an app that needs it.
  if (t.requiredAcr && acrRank(t.requiredAcr) > acrRank(ACR.mfa)) {
    return show(t, 'This app requires a phishing-resistant method (a security key or passkey); a Temporary Access Pass cannot be used for it.', 403);
  }
  const user = t.userId ? await findUserById(db, t.userId) : undefined;
  const active = user?.status === 'active';
  t.methodsTried.push('tap');
  const result = await verifyTap(ctx, {
    userId: active ? user.id : undefined,
    throttleAs: t.userId ?? `unknown:${(t.usernameTyped ?? '').toLowerCase()}`,
    pass,
    ip: req.ip,
    transactionId: t.id,
  });
  if (!result.ok) {
    await saveTransaction(db, t);
    const why = !user ? 'unknown_user' : !active ? 'user_disabled' : result.state ? `tap_${result.state}` : `tap_${result.reason}`;
    if (result.reason === 'locked' || result.justLocked) {
      const reason = result.justLocked ? `${why}_locked` : `tap_${result.throttle ?? 'locked'}`;
      await writeSigninLog(db, logBase(t, req, 'locked', reason));
      return show(t, lockedMessage(result.retryAfterMs), 429);
    }
    await writeSigninLog(db, logBase(t, req, 'failure', why));
    return show(t, result.state ? REFUSED[result.state] : BAD_PASS, 401);
  }
  // The pass stands in for everything verified so far: the sign-in starts a session of its own
  // (never an upgrade of an older one), and goes on to register a new method.
  t.methodsUsed = ['tap'];
  t.sessionId = null;
  t.enrolmentId = null;
  // The engine says what else this sign-in needs (a security key to register, for an admin who
  // must be phishing-resistant); when the pass is already enough, the registration interrupt follows.
  const next = await decideNext(ctx, t);
  const step: string = next.transaction.step;
  if (next.kind === 'complete' || step === 'campaign' || step === 'done') {
    t.step = 'register_totp';
    await saveTransaction(db, t);
    return show(t);
  }
  return next;
}
