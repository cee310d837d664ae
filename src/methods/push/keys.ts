import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { z } from 'zod';

/** A device's public key as a JSON Web Key: ECDSA on P-256, nothing private. */
export const publicJwkSchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  })
  .strip();
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/** Checks the key is a real point on the curve; returns the canonical JWK to store. */
export function parsePublicJwk(value: unknown): PublicJwk | null {
  const parsed = publicJwkSchema.safeParse(value);
  if (!parsed.success) return null;
  try {
    createPublicKey({ key: parsed.data as JsonWebKey, format: 'jwk' });
    return parsed.data;
  } catch {
    return null;
  }
}

/** Verifies a base64url IEEE P1363 ECDSA P-256 / SHA-256 signature over text. */
export function verifySignature(jwk: PublicJwk, text: string, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{80,100}$/.test(signature)) return false;
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return verify('sha256', Buffer.from(text, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
