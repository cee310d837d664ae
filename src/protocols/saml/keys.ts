import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { lazyModule } from '../../app/lazy.ts';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import type { Db, Store } from '../../store/store.ts';
import type { PublishedKeys } from './idp.ts';

/**
 * The IdP's signing key: RSA 2048 with a self-signed certificate (SAML metadata
 * carries keys as certificates; SPs trust the key, not a CA). The private key is
 * stored sealed with the master key. Also the per-deployment secret persistent
 * NameIDs are derived with, sealed the same way.
 */
export const SAML_KEY_PURPOSE = 'saml-signing-key';
const NAMEID_SECRET = 'persistent-nameid';
const NAMEID_PURPOSE = 'saml-nameid-secret';
const generate = promisify(generateKeyPair);

export interface SamlSigningKey {
  id: string;
  privateKeyPem: string;
  /** PEM of the certificate. */
  certificate: string;
}

/** node-forge makes the self-signed certificate; loaded when a key is made, not by every server at start-up. */
const forgeLibrary = lazyModule(async () => (await import('node-forge')).default);

async function selfSignedCertificate(publicPem: string, privatePem: string, issuer: string): Promise<string> {
  const forge = await forgeLibrary();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  // The host name is only a label here: SPs pin this certificate from the metadata.
  const attrs = [{ name: 'commonName', value: new URL(issuer).host || 'tessera' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export async function newKey(issuer: string): Promise<{ privateKeyPem: string; certificate: string }> {
  const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  return { privateKeyPem, certificate: await selfSignedCertificate(publicKey.export({ format: 'pem', type: 'spki' }).toString(), privateKeyPem, issuer) };
}

/** Creates the signing key and the NameID secret if missing (first start); safe from several nodes at once. */
export async function ensureSamlKeys(store: Store, secrets: SecretBox, issuer: string): Promise<void> {
  const active = await store.db.selectFrom('saml_signing_keys').select('id').where('status', '=', 'active').executeTakeFirst();
  const secret = await store.db.selectFrom('saml_secrets').select('name').where('name', '=', NAMEID_SECRET).executeTakeFirst();
  if (active && secret) return;
  const key = active ? null : await newKey(issuer);
  await auditedChange(store, async (trx, record) => {
    const now = new Date().toISOString();
    if (key && !(await trx.selectFrom('saml_signing_keys').select('id').where('status', '=', 'active').executeTakeFirst())) {
      const id = randomUUID();
      await trx.insertInto('saml_signing_keys').values({
        id, status: 'active', private_key_sealed: secrets.seal(key.privateKeyPem, SAML_KEY_PURPOSE), certificate: key.certificate, created_at: now,
      }).execute();
      await record({ actor: 'system', action: 'saml.key_create', target: `saml_key:${id}`, after: { id, certificate: key.certificate } });
    }
    if (!(await trx.selectFrom('saml_secrets').select('name').where('name', '=', NAMEID_SECRET).executeTakeFirst())) {
      await trx.insertInto('saml_secrets').values({ name: NAMEID_SECRET, sealed: secrets.seal(randomBytes(32), NAMEID_PURPOSE), created_at: now }).execute();
      await record({ actor: 'system', action: 'saml.secret_create', target: `saml_secret:${NAMEID_SECRET}` });
    }
  });
}

export async function activeSigningKey(db: Db, secrets: SecretBox): Promise<SamlSigningKey | null> {
  const row = await db.selectFrom('saml_signing_keys').selectAll().where('status', '=', 'active').orderBy('created_at', 'desc').executeTakeFirst();
  if (!row) return null;
  return { id: row.id, privateKeyPem: secrets.open(row.private_key_sealed, SAML_KEY_PURPOSE).toString(), certificate: row.certificate };
}

/**
 * The active key and the certificates published beside it: a next key (so SPs
 * learn it before it signs) and a retiring one (for responses still in flight).
 * Read on every request, so a rotation reaches every node at once.
 */
export async function publishedKeys(db: Db, secrets: SecretBox): Promise<PublishedKeys | null> {
  const active = await activeSigningKey(db, secrets);
  if (!active) return null;
  const rows = await db.selectFrom('saml_signing_keys').select(['id', 'status', 'certificate', 'created_at'])
    .where('status', 'in', ['next', 'retiring']).orderBy('created_at', 'desc').execute();
  // The next key before the retiring one: metadata order does not matter to SPs, but reads better.
  const others = rows.sort((a, b) => (a.status === b.status ? 0 : a.status === 'next' ? -1 : 1)).map((r) => ({ id: r.id, certificate: r.certificate }));
  return { active, others };
}

export async function nameIdSecret(db: Db, secrets: SecretBox): Promise<Buffer> {
  const row = await db.selectFrom('saml_secrets').select('sealed').where('name', '=', NAMEID_SECRET).executeTakeFirstOrThrow();
  return secrets.open(row.sealed, NAMEID_PURPOSE);
}
