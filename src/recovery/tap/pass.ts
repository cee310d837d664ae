import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../config/secret-box.ts';

/**
 * The pass itself: characters from an alphabet without look-alikes (no 0/o,
 * 1/l/i), lower case so it can be read out over the phone; typed in any case,
 * with or without spaces and dashes. About 4.95 bits per character: the
 * default 12 give 59 bits, and every try is rate-limited.
 *
 * Only an HMAC under a random per-pass key is stored, the key sealed with the
 * master key: a copy of the database alone does not let anyone test guesses.
 */
export const TAP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const KEY_PURPOSE = 'tap-key';

export function generatePass(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += TAP_ALPHABET[randomInt(TAP_ALPHABET.length)];
  return out;
}

/** What the person typed, as it was issued; null when it cannot be a pass at all. */
export function normalizePass(typed: string): string | null {
  const cleaned = typed.normalize('NFKC').replace(/[\s-]/g, '').toLowerCase();
  if (cleaned.length < 8 || cleaned.length > 48) return null;
  return cleaned;
}

export interface SealedPassKey {
  keySealed: string;
  digest: string;
}

export function sealPass(secrets: SecretBox, pass: string): SealedPassKey {
  const key = randomBytes(32);
  return { keySealed: secrets.seal(key, KEY_PURPOSE), digest: passDigest(key, pass) };
}

function passDigest(key: Buffer, pass: string): string {
  return createHmac('sha256', key).update(pass).digest('hex');
}

/** Constant-time check of a candidate against a stored pass. */
export function passMatches(secrets: SecretBox, stored: SealedPassKey, candidate: string): boolean {
  const a = Buffer.from(passDigest(secrets.open(stored.keySealed, KEY_PURPOSE), candidate), 'hex');
  const b = Buffer.from(stored.digest, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

// A stand-in pass checked when there is no real one, so an unknown name, a name
// without a pass and a wrong pass all cost the same work.
const dummies = new WeakMap<SecretBox, SealedPassKey>();
export function dummyPass(secrets: SecretBox): SealedPassKey {
  let d = dummies.get(secrets);
  if (!d) {
    d = sealPass(secrets, generatePass(24));
    dummies.set(secrets, d);
  }
  return d;
}
