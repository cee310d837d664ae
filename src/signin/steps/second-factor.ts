import type { AppContext } from '../../app/context.ts';
import { verifyTotp } from '../../methods/totp/index.ts';
import { verifyBackupCode } from '../../methods/backup-codes/index.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { availableSecondFactors, decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { lockedMessage } from '../texts.ts';

const VERIFIERS = { totp: verifyTotp, backup_code: verifyBackupCode } as const;
type SecondFactor = keyof typeof VERIFIERS;

const WRONG: Record<SecondFactor, string> = {
  totp: 'That code is not right. Check the time on your device and enter the current code.',
  backup_code: 'That backup code is not valid or was already used.',
};

const REPLAYED: Record<SecondFactor, string> = {
  totp: 'That code was already used. Wait for the next code.',
  backup_code: 'That backup code is not valid or was already used.',
};

/** A one-time code for the second factor; each code is accepted once, every try is rate-limited. */
export async function submitSecondFactor(
  ctx: AppContext,
  t: SigninTransaction,
  method: SecondFactor,
  code: string,
  req: RequestFacts,
): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
  const cleaned = code.replace(/[\s-]/g, '');
  if (!cleaned || cleaned.length > 32) return show(t, 'Enter the code.', 400);
  t.methodsTried.push(method);
  const result = await VERIFIERS[method](ctx, t.userId, cleaned, { ip: req.ip });
  if (!result.ok) {
    await saveTransaction(ctx.store.db, t);
    const locked = result.reason === 'locked' || result.justLocked === true;
    const reason = result.justLocked ? `${method}_${result.reason}_locked` : locked ? `${method}_${result.throttle ?? 'locked'}` : `${method}_${result.reason}`;
    await writeSigninLog(ctx.store.db, logBase(t, req, locked ? 'locked' : 'failure', reason));
    if (locked) return show(t, lockedMessage(result.retryAfterMs), 429);
    if (result.reason === 'replayed') return show(t, REPLAYED[method], 401);
    return show(t, WRONG[method], 401);
  }
  t.methodsUsed.push(method);
  return decideNext(ctx, t);
}

/** Switches to another registered second factor ("use another method"). */
export async function chooseMethod(ctx: AppContext, t: SigninTransaction, method: string): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
  const options = await availableSecondFactors(ctx, t.userId);
  if (method === '') {
    t.step = 'choose';
  } else if (options.includes(method)) {
    t.step = method as SecondFactor;
  } else {
    return show(t, 'That method is not available for your account.', 400);
  }
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
