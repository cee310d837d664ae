import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

export interface VerifiedJwt {
  header: { alg: string; kid: string };
  payload: Record<string, unknown>;
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export async function fetchJwks(issuer: string): Promise<Array<JsonWebKey & { kid: string; alg: string; key_ops?: string[] }>> {
  const res = await fetch(`${issuer}/oidc/jwks`);
  if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`);
  return ((await res.json()) as { keys: Array<JsonWebKey & { kid: string; alg: string }> }).keys;
}

/** Verifies a JWS against the provider's published JWKS, as a relying party would. */
export async function verifyWithJwks(issuer: string, jwt: string): Promise<VerifiedJwt> {
  const [h, p, s] = jwt.split('.');
  const header = decode(h!) as VerifiedJwt['header'];
  const jwk = (await fetchJwks(issuer)).find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} is not in the JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    Buffer.from(s!, 'base64url'),
  );
  if (!ok) throw new Error('signature does not verify');
  return { header, payload: decode(p!) };
}
