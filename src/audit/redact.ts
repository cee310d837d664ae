/**
 * Before/after snapshots keep the shape of a change but never a secret: any key
 * that names a password, secret, token, code, seed, hash or key is replaced.
 */
const SECRET_KEY = /pass(word)?|secret|token|code|seed|hash|private|otp|^key$|_key$|credential_?data/i;
export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Counts and flags (tokens_revoked: 3, has_password: true) carry no secret and stay readable.
    const secretShaped = v !== null && v !== undefined && typeof v !== 'number' && typeof v !== 'boolean';
    out[k] = SECRET_KEY.test(k) && secretShaped ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
