import type { AppContext } from '../../app/context.ts';
import type { Factor } from '../../methods/factor.ts';
import { totpFactor } from '../../methods/totp/factor.ts';
import { backupCodeFactor } from '../../methods/backup-codes/factor.ts';
import { smsFactor, voiceFactor } from '../../methods/phone/factor.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { SIGNIN_TEXT } from '../texts.ts';
import { availableSecondFactors } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { proveFactor } from './prove.ts';

const CODE_FACTORS = { totp: totpFactor, backup_code: backupCodeFactor, sms: smsFactor, voice: voiceFactor } satisfies Record<string, Factor>;
export type CodeFactor = keyof typeof CODE_FACTORS;

/** A typed one-time code as the second factor; each code is accepted once, every try is rate-limited. */
export async function submitSecondFactor(ctx: AppContext, t: SigninTransaction, method: CodeFactor, code: string, req: RequestFacts): Promise<StepOutcome> {
  const cleaned = code.replace(/[\s-]/g, '');
  if (t.userId && t.methodsUsed.length && (!cleaned || cleaned.length > 32)) return show(t, SIGNIN_TEXT.enterCode, 400);
  return proveFactor(ctx, t, CODE_FACTORS[method], cleaned, req);
}

/** Switches to another registered second factor ("use another method"). */
export async function chooseMethod(ctx: AppContext, t: SigninTransaction, method: string): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  const options = await availableSecondFactors(ctx, t.userId);
  if (method === '') {
    t.step = 'choose';
  } else if (options.includes(method)) {
    t.step = method as SigninTransaction['step'];
  } else {
    return show(t, SIGNIN_TEXT.methodNotAvailable, 400);
  }
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
