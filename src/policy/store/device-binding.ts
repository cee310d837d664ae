import type { Db, Store, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
import { auditedChange } from '../../audit/append.ts';
import { issueToken, parseToken, secretMatches } from '../../app/opaque-token.ts';
import { NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';

/**
 * Which device a sign-in comes from. The MDM asks Tessera for a device token
 * for a device it manages and installs it there (the managed browser sends it
 * as the X-Tessera-Device header or the tessera_device cookie). A sign-in that
 * presents a valid token is from that device, if the device belongs to the
 * person signing in and is active; conditional access then reads its managed
 * and compliant state. Without a token the device is unknown: unmanaged and
 * not compliant.
 */
const PREFIX = 'tsd';
export const DEVICE_HEADER = 'x-tessera-device';
export const DEVICE_COOKIE = 'tessera_device';
const CLAIM_TTL_MS = 24 * 3600_000;

/** Issues a new token for a device (the old one stops working); shown once. */
export async function issueDeviceToken(store: Store, deviceId: string, by: ChangedBy): Promise<{ token: string; deviceId: string }> {
  return auditedChange(store, async (trx, record) => {
    const device = await trx.selectFrom('devices').select(['id', 'status']).where('id', '=', deviceId).executeTakeFirst();
    if (!device) throw new NotFoundError(`no device ${deviceId}`);
    if (device.status !== 'active') throw new RefusedError(`device ${deviceId} is ${device.status}`);
    const now = new Date().toISOString();
    await trx.updateTable('device_tokens').set({ revoked_at: now }).where('device_id', '=', deviceId).where('revoked_at', 'is', null).execute();
    const issued = issueToken(PREFIX);
    await trx.insertInto('device_tokens').values({ id: issued.id, device_id: deviceId, secret_hash: issued.secretHash, created_at: now, created_by: by.actor, revoked_at: null }).execute();
    await record({ actor: by.actor, action: 'device.token.issue', target: `device:${deviceId}`, requestId: by.requestId, after: { tokenId: issued.id } });
    return { token: issued.token, deviceId };
  });
}

/** The device token a request carries, if any (header first, then cookie). */
export function deviceTokenFrom(headers: Record<string, string | string[] | undefined>, cookies?: Record<string, string | undefined>): string | null {
  const h = headers[DEVICE_HEADER];
  const value = (Array.isArray(h) ? h[0] : h) ?? cookies?.[DEVICE_COOKIE];
  return value && value.length < 200 ? value : null;
}

/** The device a valid, unrevoked token names; null for anything else. */
export async function deviceIdFromToken(db: Db | Tx, token: string | null | undefined): Promise<string | null> {
  const parsed = token ? parseToken(PREFIX, token) : null;
  if (!parsed) return null;
  const row = await db.selectFrom('device_tokens').select(['device_id', 'secret_hash', 'revoked_at']).where('id', '=', parsed.id).executeTakeFirst();
  if (!row || row.revoked_at || !secretMatches(parsed.secret, row.secret_hash)) return null;
  return row.device_id;
}

/** Notes the device a sign-in in progress comes from (each request may present the token). */
export async function claimSigninDevice(db: Db | Tx, transactionId: string, token: string | null): Promise<void> {
  const deviceId = await deviceIdFromToken(db, token);
  if (!deviceId) return;
  const now = new Date();
  await db.deleteFrom('signin_device_claims').where((eb) => eb.or([eb('transaction_id', '=', transactionId), eb('created_at', '<', new Date(now.getTime() - CLAIM_TTL_MS).toISOString())])).execute();
  await db.insertInto('signin_device_claims').values({ transaction_id: transactionId, device_id: deviceId, created_at: now.toISOString() }).execute();
}

// Asked by every decision of a sign-in: compiled once (src/store/compiled.ts).
const claimedDevice = compiled((db, transactionId: string) => db.selectFrom('signin_device_claims').select('device_id').where('transaction_id', '=', transactionId));

export async function signinDevice(db: Db | Tx, transactionId: string): Promise<string | null> {
  const row = await first(claimedDevice(db, transactionId));
  return row?.device_id ?? null;
}
