import type { AppContext } from '../app/context.ts';
import type { Db, Tx } from '../store/store.ts';
import type { RequestFacts } from './steps/outcome.ts';
import type { SigninTransaction } from './transaction.ts';

/**
 * What other capabilities add to a sign-in, registered at the composition
 * root (src/http/server.ts) so the engine imports none of them: recovery says
 * whether a person is on a recovery hold, how long a session started with a
 * pass may last, and what follows a completed sign-in (lifting a hold, the
 * break-glass alert).
 */
export interface SigninHooks {
  onRecoveryHold(db: Db | Tx, userId: string): Promise<boolean>;
  sessionNotAfter(ctx: AppContext, t: SigninTransaction): Promise<Date | undefined>;
  afterSignin(ctx: AppContext, t: SigninTransaction, req: RequestFacts): Promise<void>;
}

const NONE: SigninHooks = {
  onRecoveryHold: async () => false,
  sessionNotAfter: async () => undefined,
  afterSignin: async () => undefined,
};

let current: SigninHooks = NONE;

export function registerSigninHooks(hooks: SigninHooks): void {
  current = hooks;
}

export function signinHooks(): SigninHooks {
  return current;
}
