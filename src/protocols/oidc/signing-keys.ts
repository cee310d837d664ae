import { createHash, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { OidcSigningKeysTable, SigningAlg, SigningKeyStatus } from './tables.ts';

/**
 * The provider's token signing keys: one active RS256 and one active ES256 key
 * sign; after `tessera keys rotate` the previous ones are "retiring": still
 * published in the JWKS (so tokens they signed keep verifying) but never used
 * to sign; `tessera keys retire` finally drops a key from the JWKS. Private
 * keys are stored sealed with the master key.
 *
 * Nodes read the keys when their provider is built and re-check the table every
 * few seconds (runtime.ts), rebuilding the provider when the set changed, since
 * oidc-provider cannot swap its keystore in place. Right after a rotation a
 * node that has not reloaded yet still signs with the now-retiring key, which
 * stays published, so its tokens verify; a relying party that cached the JWKS
 * before the rotation fetches it again when it meets the new kid.
 */
export const KEY_PURPOSE = 'oidc-signing-key';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256'];

const generate = promisify(generateKeyPair);

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  status: SigningKeyStatus;
  createdAt: string;
  retiringAt: string | null;
  retiredAt: string | null;
}

/** A private JWK as oidc-provider's `jwks` setting takes it. */
export type PrivateJwk = JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig'; key_ops?: string[] };

export interface SigningKeySet {
  /** Active keys first (newest first), then retiring ones marked verify-only. */
  keys: PrivateJwk[];
  /** Changes whenever a key is added or changes status; lets nodes notice rotations cheaply. */
  fingerprint: string;
}

export class KeyError extends Error {
  override name = 'KeyError';
  readonly kind: 'not_found' | 'refused';
  constructor(kind: KeyError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

function toKey(row: OidcSigningKeysTable): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    createdAt: row.created_at,
    retiringAt: row.retiring_at,
    retiredAt: row.retired_at,
  };
}

/** RFC 7638 thumbprint: SHA-256 over the required public members in lexicographic order. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

async function newKeyPair(alg: SigningAlg): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return alg === 'RS256' ? generate('rsa', { modulusLength: 2048 }) : generate('ec', { namedCurve: 'P-256' });
}

async function newKeyRow(secrets: SecretBox, alg: SigningAlg): Promise<OidcSigningKeysTable> {
  const { privateKey, publicKey } = await newKeyPair(alg);
  const pub = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(pub);
  const priv: PrivateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    status: 'active',
    private_jwk_sealed: secrets.seal(JSON.stringify(priv), KEY_PURPOSE),
    public_jwk: JSON.stringify({ ...pub, kid, alg, use: 'sig' }),
    created_at: new Date().toISOString(),
    retiring_at: null,
    retired_at: null,
  };
}

async function activeAlgs(trx: Tx): Promise<Set<string>> {
  const rows = await trx.selectFrom('oidc_signing_keys').select('alg').where('status', '=', 'active').execute();
  return new Set(rows.map((r) => r.alg));
}

/**
 * Makes sure an active key exists for every algorithm; creates the missing ones
 * (first start). Safe to call from several nodes at once.
 */
export async function ensureSigningKeys(store: Store, secrets: SecretBox): Promise<SigningKey[]> {
  // Generate outside the lock (RSA takes a moment), insert inside it only if still missing.
  const existing = new Set(
    (await store.db.selectFrom('oidc_signing_keys').select('alg').where('status', '=', 'active').execute()).map((r) => r.alg),
  );
  const missing = SIGNING_ALGS.filter((alg) => !existing.has(alg));
  if (!missing.length) return [];
  const candidates = await Promise.all(missing.map((alg) => newKeyRow(secrets, alg)));
  // auditedChange serializes all audited writers across processes, so two nodes
  // starting at once cannot both insert a first key.
  return auditedChange(store, async (trx, record) => {
    const active = await activeAlgs(trx);
    const created: SigningKey[] = [];
    for (const row of candidates) {
      if (active.has(row.alg)) continue;
      await trx.insertInto('oidc_signing_keys').values(row).execute();
      const key = toKey(row);
      await record({ actor: 'system', action: 'oidc.key_create', target: `oidc_key:${row.kid}`, after: key });
      created.push(key);
    }
    return created;
  });
}

export async function listSigningKeys(db: Db | Tx): Promise<SigningKey[]> {
  const rows = await db.selectFrom('oidc_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
  return rows.map(toKey);
}

/**
 * Makes a new active key for each algorithm given (default: all) and marks the
 * previously active ones retiring.
 */
export async function rotateSigningKeys(
  store: Store,
  secrets: SecretBox,
  by: { actor: string; requestId?: string | null },
  algs: readonly SigningAlg[] = SIGNING_ALGS,
): Promise<{ created: SigningKey[]; retiring: SigningKey[] }> {
  const rows = await Promise.all(algs.map((alg) => newKeyRow(secrets, alg)));
  return auditedChange(store, async (trx, record) => {
    const now = new Date().toISOString();
    const old = await trx
      .selectFrom('oidc_signing_keys')
      .selectAll()
      .where('status', '=', 'active')
      .where('alg', 'in', [...algs])
      .execute();
    if (old.length) {
      await trx
        .updateTable('oidc_signing_keys')
        .set({ status: 'retiring', retiring_at: now })
        .where('kid', 'in', old.map((r) => r.kid))
        .execute();
    }
    for (const row of rows) await trx.insertInto('oidc_signing_keys').values({ ...row, created_at: now }).execute();
    const created = rows.map((r) => toKey({ ...r, created_at: now }));
    const retiring = old.map((r) => toKey({ ...r, status: 'retiring', retiring_at: now }));
    await record({
      actor: by.actor,
      action: 'oidc.key_rotate',
      target: 'oidc_keys',
      requestId: by.requestId,
      after: { created: created.map((k) => k.kid), retiring: retiring.map((k) => k.kid) },
    });
    return { created, retiring };
  });
}

/** Stops publishing a key. Refuses to retire the only active key of its algorithm. */
export async function retireSigningKey(
  store: Store,
  kid: string,
  by: { actor: string; requestId?: string | null },
): Promise<SigningKey> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('oidc_signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
    if (!row) throw new KeyError('not_found', `no signing key ${kid}`);
    if (row.status === 'retired') return toKey(row);
    if (row.status === 'active') {
      const others = await trx
        .selectFrom('oidc_signing_keys')
        .select('kid')
        .where('status', '=', 'active')
        .where('alg', '=', row.alg)
        .where('kid', '!=', kid)
        .execute();
      if (!others.length) {
        throw new KeyError('refused', `${kid} is the only active ${row.alg} key; run tessera keys rotate first`);
      }
    }
    const now = new Date().toISOString();
    await trx.updateTable('oidc_signing_keys').set({ status: 'retired', retired_at: now }).where('kid', '=', kid).execute();
    const before = toKey(row);
    const after = toKey({ ...row, status: 'retired', retired_at: now });
    await record({ actor: by.actor, action: 'oidc.key_retire', target: `oidc_key:${kid}`, requestId: by.requestId, before, after });
    return after;
  });
}

function fingerprintOf(rows: Array<{ kid: string; status: string }>): string {
  // Sorted here, not in SQL: PostgreSQL's collation would order mixed-case kids differently.
  return rows
    .map((r) => `${r.kid}:${r.status}`)
    .sort()
    .join(',');
}

/** Fingerprint of the published key set, cheap enough to poll. */
export async function signingKeysFingerprint(db: Db): Promise<string> {
  const rows = await db.selectFrom('oidc_signing_keys').select(['kid', 'status']).where('status', '!=', 'retired').execute();
  return fingerprintOf(rows);
}

/** The keys oidc-provider is built with: decrypted, signing keys first. */
export async function loadSigningKeySet(db: Db, secrets: SecretBox): Promise<SigningKeySet> {
  const rows = await db
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .where('status', '!=', 'retired')
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  const rank = (s: SigningKeyStatus) => (s === 'active' ? 0 : 1);
  rows.sort((a, b) => rank(a.status) - rank(b.status));
  const keys = rows.map((row) => {
    const jwk = JSON.parse(secrets.open(row.private_jwk_sealed, KEY_PURPOSE).toString('utf8')) as PrivateJwk;
    // A retiring key verifies but never signs: oidc-provider skips keys whose key_ops lack "sign".
    return row.status === 'active' ? jwk : { ...jwk, key_ops: ['verify'] };
  });
  return { keys, fingerprint: fingerprintOf(rows) };
}
