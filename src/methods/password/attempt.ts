import type { Store } from '../../store/store.ts';
import type { VerifyOptions, VerifyResult } from '../method.ts';
import { throttledVerification } from '../throttle/index.ts';
import { checkPassword } from './service.ts';
import { directoryPasswords } from './directory.ts';

export interface PasswordAttempt extends VerifyOptions {
  /** The account, or undefined when the name matched no (active) account. */
  userId: string | undefined;
  password: string;
  /**
   * The throttle bucket; defaults to userId. Pass a placeholder for an unknown
   * name (e.g. "unknown:<name>") so unknown names lock exactly like real ones.
   */
  throttleAs?: string;
}

/**
 * A rate-limited password check with the same result shape as the other
 * methods: checked and counted in one step, so parallel guesses cannot
 * outrun the limits. Never reveals whether the account exists ('invalid' either way).
 */
export function verifyPasswordAttempt(store: Store, attempt: PasswordAttempt): Promise<VerifyResult> {
  const key = { userId: attempt.throttleAs ?? attempt.userId, method: 'password' as const, ip: attempt.ip, now: attempt.now };
  return throttledVerification(store, key, async () =>
    (await passwordMatches(store, attempt))
      ? { ok: true, credentialId: attempt.userId! }
      : { ok: false, reason: 'invalid' },
  );
}

/**
 * A password kept in a directory is checked there; every other one against
 * its local hash. Both inside the same throttle. The directory's answer is
 * never quicker than a local check (the dummy hash is verified alongside), so
 * timing does not tell directory accounts from unknown names.
 */
async function passwordMatches(store: Store, attempt: PasswordAttempt): Promise<boolean> {
  const directory = directoryPasswords(store);
  if (attempt.userId && (await directory.livesInDirectory(attempt.userId))) {
    const [ok] = await Promise.all([directory.check(attempt.userId, attempt.password), checkPassword(store, undefined, attempt.password)]);
    // null: the source stopped checking passwords between the two questions; refused rather than guessed.
    return ok === true;
  }
  return checkPassword(store, attempt.userId, attempt.password, attempt.now);
}
