import type { SigninTransaction } from '../transaction.ts';
import type { RequestFacts } from './outcome.ts';

/** The part of a sign-in log row every step fills the same way. */
export function logBase(t: SigninTransaction, req: RequestFacts, result: 'failure' | 'locked' | 'success' | 'interrupted', reason: string) {
  return {
    userId: t.userId,
    username: t.usernameTyped,
    clientId: t.clientId,
    ip: req.ip,
    userAgent: req.userAgent,
    methodsTried: t.methodsTried,
    methodsUsed: t.methodsUsed,
    result,
    reason,
    transactionId: t.id,
  };
}
