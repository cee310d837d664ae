import type { Db } from '../../store/store.ts';
import { parsePublicJwk, verifySignature, type PublicJwk } from './keys.ts';
import { CLOCK_SKEW_MS, NONCE_PATTERN, requestSigningString } from './protocol.ts';

export interface SignedRequest {
  method: string;
  pathAndQuery: string;
  body: string;
  credentialId: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
}

export interface AuthenticatedDevice {
  credentialId: string;
  userId: string;
  deviceId: string;
  publicKey: PublicJwk;
}

/**
 * Authenticates an authenticator's request by its device-key signature over
 * method, path, timestamp, nonce and body digest, and accepts each nonce once
 * per device key. No shared secret is involved.
 * Returns the device, or a reason safe to return to the caller.
 */
export async function authenticateDevice(db: Db, req: SignedRequest, now = new Date()): Promise<AuthenticatedDevice | { error: string }> {
  const { credentialId, timestamp, nonce, signature } = req;
  if (!credentialId || !timestamp || !signature) return { error: 'missing signature headers' };
  if (!nonce || !NONCE_PATTERN.test(nonce)) return { error: 'missing or malformed nonce (a fresh random value of 16 to 64 base64url characters for every request)' };
  if (!/^[0-9a-f-]{36}$/.test(credentialId)) return { error: 'unknown authenticator' };
  const ts = Number(timestamp);
  if (!/^\d{10,16}$/.test(timestamp) || Math.abs(now.getTime() - ts) > CLOCK_SKEW_MS) {
    return { error: 'timestamp missing or too far from the server clock (milliseconds since 1970, within 2 minutes)' };
  }
  const row = await db.selectFrom('push_credentials').selectAll().where('id', '=', credentialId).where('status', '=', 'active').executeTakeFirst();
  if (!row) return { error: 'unknown authenticator' };
  const device = await db.selectFrom('devices').select('status').where('id', '=', row.device_id).executeTakeFirst();
  if (device && device.status !== 'active') return { error: 'this device is no longer active' };
  const jwk = parsePublicJwk(JSON.parse(row.public_key));
  if (!jwk) return { error: 'unknown authenticator' };
  if (!verifySignature(jwk, requestSigningString(req.method, req.pathAndQuery, timestamp, nonce, req.body), signature)) {
    return { error: 'bad signature' };
  }
  // Only after the signature verified, so nobody else can spend this device's nonces.
  if (!(await acceptNonceOnce(db, row.id, nonce, ts, now))) return { error: 'replayed request: this nonce was already used' };
  return { credentialId: row.id, userId: row.user_id, deviceId: row.device_id, publicKey: jwk };
}

/**
 * Records the nonce; false when this device key already used it. The primary
 * key decides, so of two nodes seeing one request at once only one accepts it.
 * The nonce is kept while the timestamp could still pass, doubled so a node
 * whose clock runs behind still finds it.
 */
async function acceptNonceOnce(db: Db, credentialId: string, nonce: string, timestampMs: number, now: Date): Promise<boolean> {
  await db.deleteFrom('push_request_nonces').where('expires_at', '<=', now.toISOString()).execute();
  const expiresAt = new Date(Math.max(timestampMs, now.getTime()) + 2 * CLOCK_SKEW_MS).toISOString();
  const inserted = await db
    .insertInto('push_request_nonces')
    .values({ credential_id: credentialId, nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['credential_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}
