import type { AppContext } from '../../app/context.ts';
import { passwordFactor } from '../../methods/password/factor.ts';
import type { SigninTransaction } from '../transaction.ts';
import { SIGNIN_TEXT } from '../texts.ts';
import type { RequestFacts, StepOutcome } from './outcome.ts';
import { proveFactor } from './prove.ts';

export const BAD_CREDENTIALS = SIGNIN_TEXT.badCredentials;

/**
 * First factor. An unknown or disabled account goes through the same argon2id
 * verification (against a dummy hash) and gets the same message as a wrong
 * password, so neither timing nor wording reveals which names exist.
 */
export function submitPassword(ctx: AppContext, t: SigninTransaction, password: string, req: RequestFacts): Promise<StepOutcome> {
  return proveFactor(ctx, t, passwordFactor, password, req);
}
