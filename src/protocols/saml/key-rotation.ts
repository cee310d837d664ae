import { createHash, randomUUID } from 'node:crypto';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import { NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import type { Db, Store } from '../../store/store.ts';
import { newKey, SAML_KEY_PURPOSE } from './keys.ts';
import type { SamlSigningKeysTable } from './tables.ts';

/**
 * Rotating the SAML signing key in two steps, because SPs pin the IdP's
 * certificate from its metadata: `rotate` first makes a next key, which
 * metadata publishes beside the active one but which signs nothing; once the
 * SPs have read the metadata again, `rotate` a second time makes it the active
 * key, and the old one retires (still published, no longer signing) until
 * `retire` removes it. Every step is an audited change; servers read the keys
 * on every request, so every node follows at once.
 */
export interface SamlKeyInfo {
  id: string;
  status: SamlSigningKeysTable['status'];
  createdAt: string;
  /** The certificate's SHA-256 fingerprint, as SP admins compare it. */
  fingerprint: string;
}

export function certificateFingerprint(pem: string): string {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

function info(row: Pick<SamlSigningKeysTable, 'id' | 'status' | 'created_at' | 'certificate'>): SamlKeyInfo {
  return { id: row.id, status: row.status, createdAt: row.created_at, fingerprint: certificateFingerprint(row.certificate) };
}

const ORDER = { next: 0, active: 1, retiring: 2 } as const;

export async function listSamlKeys(db: Db): Promise<SamlKeyInfo[]> {
  const rows = await db.selectFrom('saml_signing_keys').select(['id', 'status', 'created_at', 'certificate']).execute();
  return rows.map(info).sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.localeCompare(a.createdAt));
}

export type RotationStep =
  | { step: 'prepared'; next: SamlKeyInfo }
  | { step: 'activated'; active: SamlKeyInfo; retiring: SamlKeyInfo[] };

/** One step of the rotation: make a next key, or (when there is one) put it into use. */
export async function rotateSamlKey(store: Store, secrets: SecretBox, issuer: string, by: ChangedBy): Promise<RotationStep> {
  const pending = await store.db.selectFrom('saml_signing_keys').select('id').where('status', '=', 'next').executeTakeFirst();
  // The key is made outside the transaction (RSA generation takes a moment); it is simply unused if another rotation won.
  const fresh = pending ? null : await newKey(issuer);
  return auditedChange(store, async (trx, record) => {
    const now = new Date().toISOString();
    const next = await trx.selectFrom('saml_signing_keys').selectAll().where('status', '=', 'next').executeTakeFirst();
    if (!next) {
      const key = fresh ?? (await newKey(issuer));
      const row: SamlSigningKeysTable = {
        id: randomUUID(), status: 'next', private_key_sealed: secrets.seal(key.privateKeyPem, SAML_KEY_PURPOSE), certificate: key.certificate, created_at: now,
      };
      await trx.insertInto('saml_signing_keys').values(row).execute();
      const out = info(row);
      await record({ actor: by.actor, requestId: by.requestId, action: 'saml.key_prepare', target: `saml_key:${row.id}`, after: { ...out, certificate: row.certificate } });
      return { step: 'prepared', next: out };
    }
    const old = await trx.selectFrom('saml_signing_keys').selectAll().where('status', '=', 'active').execute();
    if (old.length) await trx.updateTable('saml_signing_keys').set({ status: 'retiring' }).where('id', 'in', old.map((r) => r.id)).execute();
    await trx.updateTable('saml_signing_keys').set({ status: 'active' }).where('id', '=', next.id).execute();
    const active = info({ ...next, status: 'active' });
    const retiring = old.map((r) => info({ ...r, status: 'retiring' }));
    await record({
      actor: by.actor, requestId: by.requestId, action: 'saml.key_activate', target: `saml_key:${next.id}`,
      after: { active: active.id, retiring: retiring.map((k) => k.id) },
    });
    return { step: 'activated', active, retiring };
  });
}

/** Removes a retiring key (or a next key not yet used): no longer published. The active key cannot be retired. */
export async function retireSamlKey(store: Store, id: string, by: ChangedBy): Promise<SamlKeyInfo> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('saml_signing_keys').select(['id', 'status', 'created_at', 'certificate']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no SAML signing key ${id}`);
    if (row.status === 'active') throw new RefusedError('this key signs the responses now: rotate twice to replace it, then retire it');
    await trx.deleteFrom('saml_signing_keys').where('id', '=', id).execute();
    const out = info(row);
    await record({ actor: by.actor, requestId: by.requestId, action: 'saml.key_retire', target: `saml_key:${id}`, before: out });
    return out;
  });
}
