import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type * as Common from '@zxcvbn-ts/language-common';
import type * as English from '@zxcvbn-ts/language-en';

// The word lists are about 12 MB in memory and 70 ms to load: loaded on the
// first password check (synchronously: require of these ES modules), so a
// server or command that never checks a password never holds them.
const load = createRequire(import.meta.url);

/**
 * Obvious patterns (NIST SP 800-63B §3.1.1.2: "repetitive or sequential
 * characters", dictionary words): found with zxcvbn-ts over its maintained
 * lists of breached passwords, English words and first names, keyboard layouts
 * and sequences. Only patterns are refused: a password whose unpredictable
 * part contains letters is left alone, so a random string or a phrase of
 * several words passes however it scores.
 */

/** Fewer estimated guesses than this, made only of patterns, digits and symbols: refused. */
const OBVIOUS_BELOW_LOG10 = 10;

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  if (factory) return factory;
  const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const { adjacencyGraphs, dictionary: commonDictionary } = load('@zxcvbn-ts/language-common') as typeof Common;
  const { dictionary: englishDictionary } = load('@zxcvbn-ts/language-en') as typeof English;
  factory = new Factory({
    dictionary: {
      ...commonDictionary,
      'commonWords-en': englishDictionary['commonWords-en'],
      'firstnames-en': englishDictionary['firstnames-en'],
    },
    graphs: adjacencyGraphs,
  });
  return factory;
}

type Kind = 'repeat' | 'word' | 'keyboard' | 'sequence' | 'date' | 'filler';

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertzuiop', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'];

function isKeyboardRun(token: string): boolean {
  if (token.length < 4) return false;
  const flat = KEYBOARD_ROWS.join('');
  const reversed = [...flat].reverse().join('');
  return flat.includes(token) || reversed.includes(token);
}

function isSequence(token: string): boolean {
  if (token.length < 3) return false;
  const codes = [...token].map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  if (Math.abs(step) !== 1) return false;
  // 7890 counts as a sequence as well: digits wrap around on a keypad.
  return codes.every((c, i) => i === 0 || c - codes[i - 1]! === step || (/\d/.test(token) && Math.abs(c - codes[i - 1]!) === 9));
}

function kindOf(match: { pattern: string; token: string }): Kind {
  const token = match.token.toLowerCase();
  switch (match.pattern) {
    case 'repeat':
    case 'wordSequence':
      return 'repeat';
    case 'sequence':
      return 'sequence';
    case 'spatial':
      return 'keyboard';
    case 'date':
    case 'regex':
      return 'date';
    case 'dictionary':
      if (isSequence(token)) return 'sequence';
      if (isKeyboardRun(token)) return 'keyboard';
      return 'word';
    default:
      // Bruteforce and separators: the part no pattern explains.
      return 'filler';
  }
}

const REASONS: Record<Exclude<Kind, 'filler'>, string> = {
  repeat: 'must not repeat the same word or characters (like abcabc); use several different words',
  word: 'is too easy to guess: a common word or password, with or without digits or symbols added; use several words instead',
  keyboard: 'must not be a row of keys on the keyboard (like qwerty or asdfgh)',
  sequence: 'must not be a sequence of letters or digits (like abcdef or 12345)',
  date: 'must not be a date or a simple pattern of digits',
};

/** The reason the password is an obvious pattern, or null when it is not one. */
export function obviousPattern(password: string): string | null {
  const result = estimator().check(password);
  if (result.guessesLog10 >= OBVIOUS_BELOW_LOG10) return null;
  const kinds = new Set<Kind>();
  for (const match of result.sequence) {
    const kind = kindOf(match);
    // Letters that no pattern explains make it more than a pattern: not ours to refuse.
    if (kind === 'filler' && /\p{L}/u.test(match.token)) return null;
    kinds.add(kind);
  }
  for (const kind of ['word', 'repeat', 'keyboard', 'sequence', 'date'] as const) {
    if (kinds.has(kind)) return REASONS[kind];
  }
  return null;
}
