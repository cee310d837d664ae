import { lazyModule } from '../../../app/lazy.ts';
import type { SecretBox } from '../../../config/secret-box.ts';
import type { Db } from '../../../store/store.ts';

/**
 * The server's VAPID key pair (RFC 8292): a P-256 key that signs the JWT every
 * Web Push message carries, so a push service accepts messages for a
 * subscription only from the server that the subscription was made for. Made
 * once, on first need, and shared by every node; the private key is sealed.
 */
/** web-push (and the crypto libraries under it) is loaded when a key pair is first made, not by every server at start-up. */
const webpush = lazyModule(async () => (await import('web-push')).default);

const ROW_ID = 'current';
const PURPOSE = 'webpush-vapid-key';

export interface VapidKeys {
  /** The uncompressed P-256 point, base64url: the authenticator's applicationServerKey. */
  publicKey: string;
  /** The 32-byte private scalar, base64url, as web-push takes it. */
  privateKey: string;
}

async function read(db: Db, secrets: SecretBox): Promise<VapidKeys | null> {
  const row = await db.selectFrom('push_vapid_keys').selectAll().where('id', '=', ROW_ID).executeTakeFirst();
  if (!row) return null;
  return { publicKey: row.public_key, privateKey: secrets.open(row.private_key_sealed, PURPOSE).toString('utf8') };
}

/** The key pair, made now if there is none yet. Of two nodes making one at once, the first insert wins and both use it. */
export async function vapidKeys(db: Db, secrets: SecretBox, now = new Date()): Promise<VapidKeys> {
  const existing = await read(db, secrets);
  if (existing) return existing;
  const fresh = (await webpush()).generateVAPIDKeys();
  await db
    .insertInto('push_vapid_keys')
    .values({ id: ROW_ID, public_key: fresh.publicKey, private_key_sealed: secrets.seal(fresh.privateKey, PURPOSE), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const stored = await read(db, secrets);
  if (!stored) throw new Error('the VAPID key pair could not be stored');
  return stored;
}

/** Just the public key, for the authenticator. */
export async function vapidPublicKey(db: Db, secrets: SecretBox): Promise<string> {
  return (await vapidKeys(db, secrets)).publicKey;
}
