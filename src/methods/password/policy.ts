import { createRequire } from 'node:module';
import type * as Common from '@zxcvbn-ts/language-common';
import { obviousPattern } from './patterns.ts';

/**
 * NIST SP 800-63B rules: length, not a known common or breached password, no
 * context-specific words (the account's names, this service's name and
 * address), no obvious pattern (repeats, sequences, keyboard rows, a common
 * word with digits added). No composition rules. Passwords are NFKC-normalised
 * before counting and hashing so the same password typed on another keyboard
 * layout or device still matches.
 */
export const MIN_LENGTH = 8;
/** When the password is the account's only factor, NIST asks for 15. */
export const MIN_LENGTH_SINGLE_FACTOR = 15;
/** NIST requires at least 64 to be allowed; beyond 256 only makes hashing a denial-of-service lever. */
export const MAX_LENGTH = 256;
/** The product's own name: the first word an attacker tries against it. */
export const PRODUCT_NAME = 'tessera';

// zxcvbn-ts's common lists are some 3 MB in memory: read on the first password
// check (synchronously, as patterns.ts reads its lists), not by every server at start-up.
const load = createRequire(import.meta.url);

let blocklist: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (blocklist) return blocklist;
  const { dictionary } = load('@zxcvbn-ts/language-common') as typeof Common;
  blocklist = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return blocklist;
}

export interface PasswordCheckInput {
  password: string;
  username?: string;
  email?: string | null;
  displayName?: string | null;
  /** The service's public URL (or host name): its name is a context-specific word too. */
  issuer?: string;
  /** True when the user has no second factor, so the password alone guards the account. */
  singleFactor?: boolean;
}

/** Words shorter than this are too common inside ordinary words to refuse. */
const MIN_WORD = 3;
/** Parts of a display name ("Ann Lee"): a little longer, since "lee" sits inside many words; the whole name counts from MIN_WORD. */
const MIN_NAME_PART = 4;

/** The password as typed, and with look-alike digits and symbols read as letters and separators dropped. */
function variants(lower: string): string[] {
  const plain = lower.replace(/[^\p{L}\p{N}]/gu, '');
  const read = (one: string) =>
    plain.replace(/[@4]/g, 'a').replace(/3/g, 'e').replace(/1/g, one).replace(/0/g, 'o').replace(/[5$]/g, 's').replace(/7/g, 't');
  return [...new Set([lower, plain, read('i'), read('l')])];
}

const plainWord = (n: string | null | undefined) => (n ?? '').normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

function personalWords(input: PasswordCheckInput): string[] {
  const whole = [input.username, input.email?.split('@')[0], input.displayName].map(plainWord).filter((n) => [...n].length >= MIN_WORD);
  const parts = (input.displayName?.split(/[\s.,_-]+/) ?? []).map(plainWord).filter((n) => [...n].length >= MIN_NAME_PART);
  return [...whole, ...parts];
}

/** "tessera" and the issuer's host name without its top-level part: id.acme-corp.com gives "acmecorp". */
function serviceWords(issuer: string | undefined): string[] {
  const words = [PRODUCT_NAME];
  if (!issuer) return words;
  let host = issuer;
  try {
    host = new URL(issuer.includes('://') ? issuer : `https://${issuer}`).hostname;
  } catch {
    // Not a URL: taken as a host name.
  }
  const labels = host.toLowerCase().split('.').filter(Boolean);
  const meaningful = labels.length > 1 ? labels.slice(0, -1) : labels;
  for (const label of meaningful) {
    const word = label.replace(/[^\p{L}\p{N}]/gu, '');
    // Numbers (an IP address) and short labels like "id" or "www" say nothing about this service.
    if (word.length >= 4 && !/^\d+$/.test(word)) words.push(word);
  }
  return words;
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
  const seen = variants(lower);
  if (personalWords(input).some((w) => seen.some((v) => v.includes(w)))) {
    return 'must not contain your username, e-mail name or display name';
  }
  if (serviceWords(input.issuer).some((w) => seen.some((v) => v.includes(w)))) {
    return 'must not contain the name of this service or its address';
  }
  if (/^(.)\1+$/u.test(pw)) return 'must not be one repeated character';
  return obviousPattern(pw);
}
