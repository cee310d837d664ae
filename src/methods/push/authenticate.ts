import type { Db } from '../../store/store.ts';
import { parsePublicJwk, verifySignature, type PublicJwk } from './keys.ts';
import { CLOCK_SKEW_MS, requestSigningString } from './protocol.ts';

export interface SignedRequest {
  method: string;
  pathAndQuery: string;
  body: string;
  credentialId: string | undefined;
  timestamp: string | undefined;
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
 * method, path, timestamp and body digest. No shared secret is involved.
 * Returns the device, or a reason safe to return to the caller.
 */
export async function authenticateDevice(db: Db, req: SignedRequest, now = new Date()): Promise<AuthenticatedDevice | { error: string }> {
  const { credentialId, timestamp, signature } = req;
  if (!credentialId || !timestamp || !signature) return { error: 'missing signature headers' };
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
  if (!verifySignature(jwk, requestSigningString(req.method, req.pathAndQuery, timestamp, req.body), signature)) {
    return { error: 'bad signature' };
  }
  return { credentialId: row.id, userId: row.user_id, deviceId: row.device_id, publicKey: jwk };
}
