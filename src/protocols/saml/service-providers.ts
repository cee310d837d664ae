import { randomUUID, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { APP_CATEGORIES, type AppCategory } from '../../monitor/posture/categories.ts';
import { auditedChange } from '../../audit/append.ts';
import { ConflictError, DirectoryError, NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import { SAML_BINDING, samlify, spEntity } from './idp.ts';
import type { SamlNameIdFormat, SamlServiceProvidersTable } from './tables.ts';
import { attributeMapSchema, DEFAULT_ATTRIBUTE_MAP, readAttributeMap, type AttributeMap } from './attributes.ts';

/**
 * SAML service providers, registered from their metadata: the entity id, the
 * assertion consumer services, the signing certificate and whether they sign
 * their AuthnRequests are read from it, so nothing is typed twice.
 */
export const NAMEID_FORMATS = ['email', 'persistent', 'unspecified'] as const satisfies readonly SamlNameIdFormat[];
export const MAX_METADATA_BYTES = 256 * 1024;

export const newServiceProviderSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a name is 1–63 lower-case letters, digits, dots, dashes or underscores'),
  metadata: z.string().min(1, 'the metadata is empty').max(MAX_METADATA_BYTES, 'the metadata is larger than 256 KiB'),
  nameIdFormat: z.enum(NAMEID_FORMATS).default('email'),
  /** Which attributes it is sent and under which names, e.g. { "email": "mail", "groups": "memberOf" }; default email, name, groups. */
  attributes: attributeMapSchema.default(DEFAULT_ATTRIBUTE_MAP),
  category: z.enum(APP_CATEGORIES).default('other'),
});
export type NewServiceProvider = z.input<typeof newServiceProviderSchema>;

export interface AcsEndpoint {
  binding: string;
  location: string;
  /** Its index in the metadata, which an AuthnRequest may name instead of the URL. */
  index?: string;
}

export interface ServiceProvider {
  id: string;
  name: string;
  entityId: string;
  nameIdFormat: SamlNameIdFormat;
  /** The attributes its assertions carry: what about the person, under which name. */
  attributes: AttributeMap;
  category: AppCategory;
  /** HTTP-POST assertion consumer services; the first is the default. */
  acs: AcsEndpoint[];
  signsRequests: boolean;
  hasSigningCertificate: boolean;
  /** Its metadata publishes an encryption certificate, so assertions to it are encrypted. */
  encryptsAssertions: boolean;
  createdAt: string;
  createdBy: string;
}

export interface StoredServiceProvider extends ServiceProvider {
  metadata: string;
  /** The first encryption certificate in its metadata (base64 body), or null. */
  encryptionCertificate: string | null;
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function httpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The SP's certificates by use, read here rather than from samlify: samlify
 * takes a lone KeyDescriptor for both uses whatever its use says, which would
 * encrypt to an SP that published only a signing key. One without a use
 * serves both (metadata §2.4.1.1).
 */
function certificatesByUse(metadata: string): { signing: string[]; encryption: string[] } {
  const out = { signing: [] as string[], encryption: [] as string[] };
  const found = samlify.Extractor.extract(metadata, [
    { key: 'descriptors', localPath: ['EntityDescriptor', 'SPSSODescriptor', 'KeyDescriptor'], attributes: [], context: true },
  ]) as { descriptors?: string | string[] | null };
  for (const xml of asList(found.descriptors ?? undefined)) {
    if (typeof xml !== 'string') continue;
    const d = samlify.Extractor.extract(xml, [
      { key: 'use', localPath: ['KeyDescriptor'], attributes: ['use'] },
      { key: 'certificate', localPath: ['KeyDescriptor', 'KeyInfo', 'X509Data', 'X509Certificate'], attributes: [] },
    ]) as { use?: string | null; certificate?: string | string[] | null };
    const cert = asList(d.certificate ?? undefined).find((c): c is string => typeof c === 'string' && c.trim().length > 0)?.replace(/\s+/g, '');
    if (!cert) continue;
    if (d.use !== 'encryption') out.signing.push(cert);
    if (d.use !== 'signing') out.encryption.push(cert);
  }
  return out;
}

/**
 * Every certificate must be one Node can read, and the encryption one an RSA
 * key (assertions are encrypted with RSA-OAEP): found at registration, not
 * when someone signs in.
 */
function checkCertificates(metadata: string): void {
  const certs = certificatesByUse(metadata);
  const read = (body: string, use: string) => {
    try {
      return new X509Certificate(Buffer.from(body, 'base64'));
    } catch {
      throw new DirectoryError('invalid', `the metadata's ${use} certificate cannot be read as an X.509 certificate`);
    }
  };
  for (const c of certs.signing) read(c, 'signing');
  const encryption = certs.encryption[0];
  if (encryption && read(encryption, 'encryption').publicKey.asymmetricKeyType !== 'rsa') {
    throw new DirectoryError('invalid', 'the metadata\'s encryption certificate is not an RSA key; Tessera encrypts assertions with RSA-OAEP and AES-256-GCM');
  }
}

/** What the metadata says, or a clear reason it cannot be used. */
export interface MetadataFacts {
  entityId: string;
  acs: AcsEndpoint[];
  signsRequests: boolean;
  hasSigningCertificate: boolean;
  encryptionCertificate: string | null;
}

export function readMetadata(metadata: string): MetadataFacts {
  let meta: ReturnType<typeof spEntity>['entityMeta'];
  try {
    meta = spEntity(metadata).entityMeta;
  } catch {
    throw new DirectoryError('invalid', 'the metadata is not SAML 2.0 service provider metadata');
  }
  const entityId = meta.getEntityID();
  if (typeof entityId !== 'string' || !entityId || entityId.length > 1024) throw new DirectoryError('invalid', 'the metadata is not SAML 2.0 service provider metadata (no EntityDescriptor with an entityID)');
  const raw = asList((meta.meta as { assertionConsumerService?: unknown }).assertionConsumerService) as Array<{ binding?: string; location?: string; index?: string; isDefault?: string }>;
  const usable = raw.filter((a) => a.binding === SAML_BINDING.post && typeof a.location === 'string' && httpUrl(a.location));
  // The one marked isDefault goes first: the first is the one used when a request names none.
  const ordered = [...usable.filter((a) => a.isDefault === 'true'), ...usable.filter((a) => a.isDefault !== 'true')];
  const acs = ordered.map((a) => ({ binding: a.binding!, location: a.location!, ...(typeof a.index === 'string' ? { index: a.index } : {}) }));
  if (!acs.length) throw new DirectoryError('invalid', 'the metadata has no AssertionConsumerService with the HTTP-POST binding and an http(s) URL');
  const certs = certificatesByUse(metadata);
  return {
    entityId, acs, signsRequests: meta.isAuthnRequestSigned() === true, hasSigningCertificate: certs.signing.length > 0,
    encryptionCertificate: certs.encryption[0] ?? null,
  };
}

function toSp(row: SamlServiceProvidersTable): StoredServiceProvider {
  const m = readMetadata(row.metadata);
  return {
    id: row.id, name: row.name, entityId: row.entity_id, nameIdFormat: row.nameid_format, attributes: readAttributeMap(row.attribute_map), category: row.category, acs: m.acs, signsRequests: m.signsRequests,
    hasSigningCertificate: m.hasSigningCertificate, encryptsAssertions: m.encryptionCertificate !== null, createdAt: row.created_at,
    createdBy: row.created_by, metadata: row.metadata, encryptionCertificate: m.encryptionCertificate,
  };
}

/** The public view (no metadata blob), as the admin API and the audit log show it. */
export function describeSp(sp: StoredServiceProvider): ServiceProvider {
  const { metadata: _metadata, encryptionCertificate: _cert, ...rest } = sp;
  return rest;
}

export async function addServiceProvider(store: Store, input: NewServiceProvider, by: ChangedBy): Promise<ServiceProvider> {
  const parsed = newServiceProviderSchema.safeParse(input);
  if (!parsed.success) throw new DirectoryError('invalid', parsed.error.issues.map((i) => i.message).join('; '));
  const { name, metadata, nameIdFormat, attributes, category } = parsed.data;
  const m = readMetadata(metadata);
  if (m.signsRequests && !m.hasSigningCertificate) throw new DirectoryError('invalid', 'the metadata says requests are signed but carries no signing certificate');
  checkCertificates(metadata);
  return auditedChange(store, async (trx, record) => {
    const clash = await trx.selectFrom('saml_service_providers').select(['name', 'entity_id'])
      .where((eb) => eb.or([eb('name', '=', name), eb('entity_id', '=', m.entityId)])).executeTakeFirst();
    if (clash) throw new ConflictError(clash.name === name ? `a service provider named ${name} exists` : `${m.entityId} is registered as ${clash.name}`);
    const row: SamlServiceProvidersTable = {
      id: randomUUID(), name, entity_id: m.entityId, metadata, nameid_format: nameIdFormat, attribute_map: JSON.stringify(attributes), category,
      created_at: new Date().toISOString(), created_by: by.actor,
    };
    await trx.insertInto('saml_service_providers').values(row).execute();
    const sp = describeSp(toSp(row));
    await record({ actor: by.actor, requestId: by.requestId, action: 'saml.sp_create', target: `saml_sp:${row.id}`, after: sp });
    return sp;
  });
}

export async function listServiceProviders(db: Db): Promise<ServiceProvider[]> {
  const rows = await db.selectFrom('saml_service_providers').selectAll().orderBy('name').execute();
  return rows.map((r) => describeSp(toSp(r)));
}

/** Only the names, for the pages that list the apps a person can open: no metadata is parsed. */
export async function listServiceProviderNames(db: Db): Promise<string[]> {
  return (await db.selectFrom('saml_service_providers').select('name').orderBy('name').execute()).map((r) => r.name);
}

/** By name or id. */
export async function findServiceProvider(db: Db | Tx, ref: string): Promise<StoredServiceProvider | undefined> {
  const row = await db.selectFrom('saml_service_providers').selectAll().where((eb) => eb.or([eb('name', '=', ref), eb('id', '=', ref)])).executeTakeFirst();
  return row ? toSp(row) : undefined;
}

export async function findByEntityId(db: Db, entityId: string): Promise<StoredServiceProvider | undefined> {
  const row = await db.selectFrom('saml_service_providers').selectAll().where('entity_id', '=', entityId).executeTakeFirst();
  return row ? toSp(row) : undefined;
}

export async function getServiceProvider(db: Db, ref: string): Promise<ServiceProvider> {
  const sp = await findServiceProvider(db, ref);
  if (!sp) throw new NotFoundError(`no service provider ${ref}`);
  return describeSp(sp);
}

export async function removeServiceProvider(store: Store, ref: string, by: ChangedBy): Promise<ServiceProvider> {
  return auditedChange(store, async (trx, record) => {
    const sp = await findServiceProvider(trx, ref);
    if (!sp) throw new NotFoundError(`no service provider ${ref}`);
    await trx.deleteFrom('saml_requests').where('sp_id', '=', sp.id).execute();
    await trx.deleteFrom('saml_service_providers').where('id', '=', sp.id).execute();
    const out = describeSp(sp);
    await record({ actor: by.actor, requestId: by.requestId, action: 'saml.sp_delete', target: `saml_sp:${sp.id}`, before: out });
    return out;
  });
}
