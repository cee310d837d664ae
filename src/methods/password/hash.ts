import { lazyModule } from '../../app/lazy.ts';

// The native argon2 library is opened by the first hash or verification, not by every command that
// imports this module (most CLI commands never hash: `tessera user list` was 5 ms faster without it).
const argon2 = lazyModule(() => import('@node-rs/argon2'));

// Algorithm.Argon2id; the package's enum is a const enum, which plain type-stripping cannot inline.
const ARGON2ID = 2;

/**
 * argon2id with OWASP's parameters (19 MiB, t=2, p=1). needsRehash tells a
 * caller, after a successful verification, to store a fresh hash when these
 * parameters have changed since the stored one was made.
 */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password.normalize('NFKC'), { algorithm: ARGON2ID, ...ARGON2_PARAMS });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  // Loaded outside the try: a library that cannot be opened is an error, not a wrong password.
  const { verify } = await argon2();
  try {
    return await verify(stored, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!m) return true;
  return Number(m[1]) !== ARGON2_PARAMS.memoryCost || Number(m[2]) !== ARGON2_PARAMS.timeCost || Number(m[3]) !== ARGON2_PARAMS.parallelism;
}

/** A hash of a random password, verified against when the user is unknown so both paths cost the same. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummy;
}
