import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (API tokens, set-up links, client secrets) are "<prefix>_<id>_<secret>":
 * the id finds the row, the secret is checked against its stored SHA-256 in
 * constant time. The secret has 256 bits of entropy, so a fast hash is enough.
 */
export interface IssuedToken {
  id: string;
  token: string;
  secretHash: string;
}

export function issueToken(prefix: string): IssuedToken {
  const id = randomUUID().replace(/-/g, '');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}_${id}_${secret}`, secretHash: sha256(secret) };
}

export function parseToken(prefix: string, token: string): { id: string; secret: string } | null {
  const m = new RegExp(`^${prefix}_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$`).exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time check of a presented secret against a stored SHA-256 hex digest. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
