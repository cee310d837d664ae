import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { CompactSign } from 'jose';
import { RefusedError } from '../../directory/errors.ts';

/** A private signing key as the OIDC provider holds it (protocols/oidc/signing-keys.ts's key set). */
export interface SigningJwk extends JsonWebKey {
  kid: string;
  alg: string;
  key_ops?: string[];
}

/** The JWS header's typ: says what the payload is, so it cannot pass for a token. */
export const EVIDENCE_JWS_TYPE = 'evidence+json';

/**
 * The key that signs: an active one (a retiring key is verify-only), ES256
 * before RS256 for a shorter signature. It is one the issuer's JWKS publishes,
 * so anyone can verify the pack against the jwks_uri.
 */
export function pickSigningKey(keys: readonly SigningJwk[]): SigningJwk {
  const active = keys.filter((k) => !k.key_ops || k.key_ops.includes('sign'));
  const key = active.find((k) => k.alg === 'ES256') ?? active[0];
  if (!key) throw new RefusedError('there is no active signing key: start `tessera serve` once, or run `tessera keys rotate`');
  return key;
}

/** A compact JWS whose payload is exactly these bytes (evidence.json as written). */
export async function signEvidence(payload: Uint8Array, keys: readonly SigningJwk[]): Promise<{ jws: string; kid: string }> {
  const key = pickSigningKey(keys);
  const { key_ops: _ops, use: _use, ...jwk } = key as SigningJwk & { use?: string };
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: EVIDENCE_JWS_TYPE })
    .sign(createPrivateKey({ key: jwk, format: 'jwk' }));
  return { jws, kid: key.kid };
}
