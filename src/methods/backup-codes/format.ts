import { createHmac, randomInt } from 'node:crypto';

/**
 * Backup codes are 10 characters from Crockford's base32 alphabet (no i, l,
 * o, u), i.e. 50 random bits each, shown as "abcde-fghij". When typed back,
 * case, spaces and dashes do not matter, and the look-alikes o/i/l are read
 * as 0/1/1, so a code copied by hand from paper still works.
 */
export const CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const CODE_LENGTH = 10;
export const CODES_PER_SET = 10;

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export function displayCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** The canonical form of a typed code, or null when it cannot be one of ours. */
export function normalizeCode(typed: string): string | null {
  const code = typed
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/**
 * Codes are stored as HMAC-SHA256 under a random key per set, and that key is
 * sealed with the master key. Why not argon2id: a verification would have to
 * try every unused code of the set (up to ten slow hashes per attempt), and
 * online guessing is already bounded by the throttle (100 tries against 10 of
 * 2^50). Why keyed: 50 bits alone would fall to an offline search with a
 * copy of the database; without the master key that copy is useless.
 */
export function codeDigest(setKey: Uint8Array, code: string): string {
  return createHmac('sha256', setKey).update(code).digest('hex');
}
