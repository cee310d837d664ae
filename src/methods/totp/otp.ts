import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { z } from 'zod';
import { MethodError } from '../errors.ts';
import type { TotpAlgorithm } from './tables.ts';

/**
 * One-time codes as RFC 4226 (HOTP) and RFC 6238 (TOTP) define them, computed
 * by the otpauth library. Everything here is pure: the seed comes in as bytes.
 */
export interface TotpSettings {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: 30 | 60;
}

/** What every authenticator app understands; the others are for hardware tokens that need them. */
export const DEFAULT_TOTP_SETTINGS: TotpSettings = { algorithm: 'SHA1', digits: 6, period: 30 };

const settingsSchema = z.object({
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512'], { error: 'algorithm must be SHA1, SHA256 or SHA512' }).default('SHA1'),
  digits: z.union([z.literal(6), z.literal(8)], { error: 'digits must be 6 or 8' }).default(6),
  period: z.union([z.literal(30), z.literal(60)], { error: 'period must be 30 or 60 seconds' }).default(30),
});

/** Settings as a caller gives them (a form, the CLI): checked by totpSettings. */
export interface TotpSettingsInput {
  algorithm?: string;
  digits?: number;
  period?: number;
}

/** Fills in the defaults and checks the rest; MethodError 'invalid_settings' names what is wrong. */
export function totpSettings(input: TotpSettingsInput = {}): TotpSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) throw new MethodError('invalid_settings', parsed.error.issues[0]?.message ?? 'invalid TOTP settings');
  return parsed.data;
}

/** RFC 4226 asks for at least 128 bits and recommends 160; the HMAC's own size is the natural choice. */
export const SEED_BYTES: Record<TotpAlgorithm, number> = { SHA1: 20, SHA256: 32, SHA512: 64 };
export const MIN_IMPORTED_SEED_BYTES = 16;

/** The HOTP value for a counter (for TOTP, the counter is the time step). */
export function codeAt(seed: Uint8Array, s: Pick<TotpSettings, 'algorithm' | 'digits'>, counter: number): string {
  return HOTP.generate({ secret: new Secret({ buffer: toArrayBuffer(seed) }), algorithm: s.algorithm, digits: s.digits, counter });
}

export function stepAt(s: Pick<TotpSettings, 'period'>, now: Date): number {
  return TOTP.counter({ period: s.period, timestamp: now.getTime() });
}

/**
 * The time steps (the current one and one either side, for clock drift and
 * typing time) whose code equals `code`. All three are computed and compared
 * in constant time, so timing tells nothing about which one matched.
 */
export function matchingSteps(seed: Uint8Array, s: TotpSettings, code: string, now: Date): number[] {
  if (code.length !== s.digits || !/^\d+$/.test(code)) return [];
  const current = stepAt(s, now);
  const given = Buffer.from(code);
  const matches: number[] = [];
  for (const step of [current - 1, current, current + 1]) {
    if (timingSafeEqual(Buffer.from(codeAt(seed, s, step)), given)) matches.push(step);
  }
  return matches;
}

export function otpauthUri(seed: Uint8Array, s: TotpSettings, issuer: string, account: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: new Secret({ buffer: toArrayBuffer(seed) }),
    algorithm: s.algorithm,
    digits: s.digits,
    period: s.period,
  }).toString();
}

export function toBase32(seed: Uint8Array): string {
  return new Secret({ buffer: toArrayBuffer(seed) }).base32;
}

/**
 * A secret typed or pasted from a token's sheet: spaces, dashes and '='
 * padding are ignored, case does not matter. The message never echoes it.
 */
export function parseBase32Secret(text: string): Uint8Array {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  if (!clean || !/^[A-Z2-7]+$/.test(clean)) throw new MethodError('invalid_secret', 'the secret must be base32 (letters A-Z and digits 2-7)');
  const bytes = Secret.fromBase32(clean).bytes;
  if (bytes.length < MIN_IMPORTED_SEED_BYTES) {
    throw new MethodError('invalid_secret', `the secret is too short: at least ${MIN_IMPORTED_SEED_BYTES} bytes (${Math.ceil((MIN_IMPORTED_SEED_BYTES * 8) / 5)} base32 characters) are required`);
  }
  return Uint8Array.from(bytes);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}
