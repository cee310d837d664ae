import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { deriveSubkey } from '../config/subkeys.ts';
import type { Db } from '../store/store.ts';
import { canonicalJson } from './canonical.ts';

/**
 * Checkpoints anchor the audit chain outside the database. The chain alone
 * shows an entry was changed only if the change left the hashes alone; whoever
 * can write the database can also recompute every hash after the entry they
 * rewrote. A checkpoint, the chain head `{ seq, hash, at }` signed and written
 * where the database's writer cannot reach (a file elsewhere, a webhook,
 * syslog), pins what the chain was: a recomputed chain no longer has that hash
 * at that seq.
 *
 * The signing key is Ed25519, derived from the master key (subkeys.ts): the
 * audit log sits below the protocols, so the OIDC signing keys are out of its
 * reach, and an asymmetric key lets anyone holding the public key (printed by
 * `tessera audit checkpoint-key`) check checkpoints without the master key.
 */
export interface Checkpoint {
  v: 1;
  seq: number;
  hash: string;
  at: string;
  /** Which key signed it: the first 16 hex digits of SHA-256 over the raw public key. */
  key: string;
  /** Ed25519 over the canonical JSON of { v, seq, hash, at, key }, base64url. */
  sig: string;
}

export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  id: string;
}

// The PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function checkpointKey(config: Config): CheckpointKey {
  const seed = deriveSubkey(config, 'audit-checkpoint-ed25519');
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, id: publicKeyId(publicKey) };
}

export function publicKeyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'jwk' }).x!;
  return createHash('sha256').update(Buffer.from(raw, 'base64url')).digest('hex').slice(0, 16);
}

function signedPart(c: Omit<Checkpoint, 'sig'>): Buffer {
  return Buffer.from(canonicalJson({ v: c.v, seq: c.seq, hash: c.hash, at: c.at, key: c.key }));
}

export function signCheckpoint(key: CheckpointKey, head: { seq: number; hash: string }, at = new Date()): Checkpoint {
  const unsigned = { v: 1 as const, seq: head.seq, hash: head.hash, at: at.toISOString(), key: key.id };
  return { ...unsigned, sig: sign(null, signedPart(unsigned), key.privateKey).toString('base64url') };
}

export function checkpointSignatureValid(publicKey: KeyObject, c: Checkpoint): boolean {
  try {
    return verify(null, signedPart(c), publicKey, Buffer.from(c.sig, 'base64url'));
  } catch {
    return false;
  }
}

/** The newest entry's position and hash; null while the log is empty. */
export async function chainHead(db: Db): Promise<{ seq: number; hash: string } | null> {
  const row = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}
