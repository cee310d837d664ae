import { createRequire } from 'node:module';
import type * as Samlify from 'samlify';
import { validateSamlXml } from './schema.ts';
import type { SamlSigningKey } from './keys.ts';

/** The keys metadata publishes: the one that signs, and the next or retiring ones beside it. */
export interface PublishedKeys {
  active: SamlSigningKey;
  others: ReadonlyArray<{ id: string; certificate: string }>;
}

const load = createRequire(import.meta.url);
let library: typeof Samlify | undefined;

function loadSamlify(): typeof Samlify {
  if (library) return library;
  const loaded = load('samlify') as typeof Samlify;
  loaded.setSchemaValidator({ validate: validateSamlXml });
  library = loaded;
  return library;
}

/**
 * samlify, set up once: every incoming message is checked against the SAML
 * XSD schemas (xmllint compiled to WebAssembly, schema.ts) before anything is
 * read from it, and signatures are verified by xml-crypto inside samlify.
 * Nothing here touches XML by hand. samlify and the XML libraries under it are
 * several megabytes in memory, so this stands in for the library and loads it
 * (synchronously: it is CommonJS) on first use, the first SAML request, not
 * when a server starts; whatever is read through it comes from the library
 * with the schema validator already set.
 */
export const samlify = new Proxy({} as typeof Samlify, {
  get: (_target, name) => Reflect.get(loadSamlify(), name),
});

export const SAML_BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export const NAMEID_FORMAT_URN = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export type IdpEntity = ReturnType<typeof samlify.IdentityProvider>;
export type SpEntity = ReturnType<typeof samlify.ServiceProvider>;

export function samlEntityId(issuer: string): string {
  return `${issuer}/saml/metadata`;
}

/** The certificate's base64 body, as metadata and KeyInfo carry it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * The IdP as samlify sees it. Whether AuthnRequests must be signed is decided
 * per SP (its metadata, or a signature on the request), so there are two
 * variants; each one's metadata is generated once per set of published keys
 * and reused (it is derived from the keys alone, so it cannot go stale).
 * Metadata lists every published certificate (the active key first, then one
 * about to be used, then one retiring), so an SP can trust the next key before
 * it signs anything; only the active key signs.
 */
const generated = new Map<string, string>();

export function idpEntity(issuer: string, keys: PublishedKeys, options: { requireSignedRequests?: boolean } = {}): IdpEntity {
  const wantAuthnRequestsSigned = options.requireSignedRequests ?? false;
  const certificates = [keys.active, ...keys.others].map((k) => k.certificate);
  const cacheKey = `${issuer}\n${[keys.active, ...keys.others].map((k) => k.id).join(',')}\n${wantAuthnRequestsSigned}`;
  // Logout requests must be signed: an unsigned one could be sent by any web page to sign people out.
  const common = {
    privateKey: keys.active.privateKeyPem, requestSignatureAlgorithm: RSA_SHA256, wantLogoutRequestSigned: true,
  };
  const metadata = generated.get(cacheKey);
  if (metadata) return samlify.IdentityProvider({ ...common, metadata });
  const idp = samlify.IdentityProvider({
    ...common,
    entityID: samlEntityId(issuer),
    signingCert: certificates.length === 1 ? certificates[0] : certificates,
    wantAuthnRequestsSigned,
    nameIDFormat: Object.values(NAMEID_FORMAT_URN),
    singleSignOnService: [
      { Binding: SAML_BINDING.redirect, Location: `${issuer}/saml/sso` },
      { Binding: SAML_BINDING.post, Location: `${issuer}/saml/sso` },
    ],
    singleLogoutService: [{ Binding: SAML_BINDING.redirect, Location: `${issuer}/saml/slo` }],
  });
  if (generated.size > 16) generated.clear();
  generated.set(cacheKey, idp.getMetadata());
  return idp;
}

/** A registered SP, from its metadata; throws on metadata samlify cannot read. */
export function spEntity(metadata: string, options: { signLogoutResponses?: boolean } = {}): SpEntity {
  return samlify.ServiceProvider({ metadata, wantLogoutResponseSigned: options.signLogoutResponses ?? false });
}

