import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryReducingCollector } from '../../src/app/memory-trim.ts';

/**
 * Shared pieces of the fuzz tests (issue 19): hostile values, the run settings
 * (a fixed seed by default, so a run is repeatable; FUZZ_SEED, FUZZ_RUNS and
 * FUZZ_PATH replay what a failure printed), and the bounds every surface must
 * keep: no 5xx, a plain JSON error for a 4xx, bounded time and memory.
 * FUZZ_MAX_MS changes the time bound (a slow machine); FUZZ_DEBUG=1 prints
 * every answer, to see which requests get past validation; FUZZ_SHRINK=1
 * lets fast-check shrink a failure to the smallest case (it re-sends requests).
 */

export const DEFAULT_SEED = 19_006;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a whole number, not ${JSON.stringify(v)}`);
  return n;
}

/** fast-check's settings: seed and runs from the environment when given; a failure prints both with the smallest counterexample. */
export function fuzzParameters<T>(defaultRuns: number): fc.Parameters<T> {
  const path = process.env.FUZZ_PATH;
  return {
    seed: envInt('FUZZ_SEED') ?? DEFAULT_SEED,
    numRuns: envInt('FUZZ_RUNS') ?? defaultRuns,
    ...(path ? { path } : {}),
    // Shrinking re-sends requests: keep it short, the first counterexample is already shown.
    endOnFailure: process.env.FUZZ_SHRINK !== '1',
    verbose: 1,
  };
}

/** Fixed strings known to break parsers, routers, SQL, HTML and object handling. */
export const NASTY_STRINGS: readonly string[] = [
  '', ' ', '\0', 'a\0b', '%00', '%', '%zz', '%2e%2e%2f', '../../../../etc/passwd', '..\\..\\windows\\win.ini', '/', '//', '?', '#', '&', '=',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}',
  '[]', '{}', 'null', 'true', 'undefined', 'NaN', '-0', '1e309', '-1', '0x1f', '9007199254740993', '١٢٣', '１２３',
  "' OR '1'='1", '"; DROP TABLE users; --', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '${jndi:ldap://x/a}', '{{7*7}}',
  '\r\nSet-Cookie: a=b', '\u202e', '\u200b', '\ufeff', '\ud800', '\udfff', '𝕏', '👩‍👩‍👧‍👦', 'ǅ', 'İ', 'ß', 'A\u030a',
  'x'.repeat(257), 'é'.repeat(5000), '\t\n\v\f\r',
];

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const longLength = fc.integer({ min: 1_000, max: 70_000 });

/** A hostile string: the fixed list, any unicode (lone surrogates too), control characters, very long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: controlChar, minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '%00', '\0', '../', '𝕏'), longLength).map(([s, n]) => s.repeat(Math.ceil(n / s.length))) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 8 })).map((p) => p.join('')) },
);

/** Numbers that are not quite numbers, as strings (how a query or form carries them). */
export const hostileNumberString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '0x10', '1_000', ' 1', '1 ', '+1', '.5', '5.', '1e3', '-1', '00'),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);

/** Any hostile JSON value: strings, odd numbers, deep or wide structures, prototype keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE, [], {}) },
  { weight: 1, arbitrary: hostileNumberString },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 200 }).map(deepArray) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map((k) => withOwnKey({}, k, { polluted: true })) },
);

function deepArray(depth: number): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Sets a key as an own, enumerable property, so that even `__proto__` is sent in the JSON. */
export function withOwnKey<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

/** A string safe to put in a URL whatever it holds (lone surrogates become U+FFFD, as a browser sends them). */
export function urlPart(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

/** A query string from name → value pairs; values are percent-encoded after being made well-formed. */
export function queryString(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${urlPart(k)}=${urlPart(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** The bound every surface keeps: no 5xx, answered in time. `what` names the request in the failure. */
export function assertHandled(answer: Answer, elapsedMs: number, what: string, maxMs: number): void {
  assert.ok(answer.status < 500, `${what} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  assert.ok(elapsedMs < maxMs, `${what} took ${Math.round(elapsedMs)} ms (the bound is ${maxMs} ms)`);
}

/** A 4xx of a JSON API says why in a JSON body: an error code and a plain message, never a stack trace. */
export function assertPlainJsonError(answer: Answer, what: string): void {
  if (answer.status < 400) return;
  assert.match(answer.contentType, /application\/json/, `${what}: a ${answer.status} answer is JSON`);
  const body = JSON.parse(answer.body) as { error?: unknown; message?: unknown };
  assert.equal(typeof body.error, 'string', `${what}: the error has a code: ${answer.body.slice(0, 300)}`);
  assert.equal(typeof body.message, 'string', `${what}: the error has a message: ${answer.body.slice(0, 300)}`);
  const message = body.message as string;
  // Not bounded in length: the not-found answer repeats the path asked for, however long (the request's own size limit bounds it).
  assert.ok(message.length > 0, `${what}: the message says something`);
  assert.doesNotMatch(message, /\n\s+at |node_modules|\/src\/\w+\/.*\.ts/, `${what}: no stack trace or source path in the message: ${message.slice(0, 300)}`);
}

/**
 * fetch, sent once more when the connection was reset before any answer came. A request on a
 * kept-alive connection can meet that connection's close (seen once in a loaded CI run, after
 * 800 answered requests); HTTP clients send such a request again on a new connection, and fetch
 * does so by itself only for idempotent methods. An answer that came, and any other failure,
 * counts as it is.
 */
export async function fetchRetryingReset(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE' && code !== 'UND_ERR_SOCKET') throw err;
    return fetch(url, init);
  }
}

/** Heap in use after a full collection, so growth measures what is kept, not garbage not yet collected. */
export function heapUsedAfterGc(): number {
  const gc = memoryReducingCollector();
  if (!gc) throw new Error('V8 gave no collection function');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export const MB = 1024 * 1024;

/** The bound on one answer's time: the test's own, or FUZZ_MAX_MS. */
export function maxMs(fallback: number): number {
  return envInt('FUZZ_MAX_MS') ?? fallback;
}

/** One line per answer with FUZZ_DEBUG=1. */
export function debugAnswer(...parts: unknown[]): void {
  if (process.env.FUZZ_DEBUG) console.error(...parts);
}

/** Answers counted by a key (status, or route and status), for the test's diagnostic line. */
export class Tally {
  readonly counts = new Map<string, number>();
  add(key: string | number): void {
    this.counts.set(String(key), (this.counts.get(String(key)) ?? 0) + 1);
  }
  count(test: (key: string) => boolean): number {
    return [...this.counts].filter(([k]) => test(k)).reduce((n, [, c]) => n + c, 0);
  }
  toString(): string {
    return JSON.stringify(Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b))));
  }
}
