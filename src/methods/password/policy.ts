import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * NIST SP 800-63B rules: length, not a known common or breached password, not
 * the account's own name. No composition rules. Passwords are NFKC-normalised
 * before counting and hashing so the same password typed on another keyboard
 * layout or device still matches.
 */
export const MIN_LENGTH = 8;
/** When the password is the account's only factor, NIST asks for 15. */
export const MIN_LENGTH_SINGLE_FACTOR = 15;
/** NIST requires at least 64 to be allowed; beyond 256 only makes hashing a denial-of-service lever. */
export const MAX_LENGTH = 256;

let blocklist: Set<string> | undefined;
function commonPasswords(): Set<string> {
  blocklist ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return blocklist;
}

export interface PasswordCheckInput {
  password: string;
  username?: string;
  email?: string | null;
  /** True when the user has no second factor, so the password alone guards the account. */
  singleFactor?: boolean;
}

/** Returns the reason the password is refused, or null when it is acceptable. */
export function passwordProblem(input: PasswordCheckInput): string | null {
  const pw = input.password.normalize('NFKC');
  const length = [...pw].length;
  const min = input.singleFactor ? MIN_LENGTH_SINGLE_FACTOR : MIN_LENGTH;
  if (length < min) {
    return input.singleFactor
      ? `must be at least ${min} characters, because it is the only thing protecting this account`
      : `must be at least ${min} characters`;
  }
  if (length > MAX_LENGTH) return `must be at most ${MAX_LENGTH} characters`;
  const lower = pw.toLowerCase();
  if (commonPasswords().has(lower)) return 'is on a list of common or breached passwords; choose another';
  const names = [input.username, input.email?.split('@')[0]].filter((n): n is string => !!n && n.length >= 3);
  if (names.some((n) => lower.includes(n.toLowerCase()))) return 'must not contain your username';
  if (/^(.)\1+$/u.test(pw)) return 'must not be one repeated character';
  return null;
}
