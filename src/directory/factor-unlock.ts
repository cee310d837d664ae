import type { Store } from '../store/store.ts';
import type { MethodType } from '../methods/method.ts';
import { throttleStatus, unlockFactors, type FactorThrottleStatus } from '../methods/throttle/unlock.ts';
import type { ChangedBy } from './errors.ts';
import { resolveUser, type User } from './users.ts';

export interface UnlockOutcome {
  user: User;
  /** The factors whose failures and lock were cleared (empty: there was nothing to clear). */
  unlocked: string[];
  /** What is left afterwards (other factors' failures when one method was named). */
  factorLocks: FactorThrottleStatus[];
}

/**
 * The helpdesk's way out of a factor lock (the only one after 100 consecutive
 * failures): clears one factor of a user (id or username), or all of them.
 * Each cleared factor is audited 'method.throttle.unlock' under the caller.
 */
export async function unlockUserFactors(store: Store, ref: string, method: MethodType | undefined, by: ChangedBy): Promise<UnlockOutcome> {
  const user = await resolveUser(store.db, ref);
  const unlocked = await unlockFactors(store, { userId: user.id, method, actor: by.actor, requestId: by.requestId });
  return { user, unlocked, factorLocks: await throttleStatus(store.db, user.id) };
}
