import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { Db } from '../../store/store.ts';
import { idpEntity, SAML_BINDING, samlify, type PublishedKeys } from './idp.ts';
import { findByEntityId, type StoredServiceProvider } from './service-providers.ts';

/**
 * Step one of Web Browser SSO: an AuthnRequest arrives by the Redirect or POST
 * binding. It is schema-checked, its issuer must be a registered SP, its
 * signature (when the SP signs, or the request carries one) verified by
 * samlify, its ACS URL one the SP registered; then it is stored under a random
 * handle. The (SP, request ID) pair is unique in the store, so a replayed
 * request is refused on whichever node it reaches.
 */
export const MAX_SAML_MESSAGE_CHARS = 64 * 1024;
export const REQUEST_TTL_MS = 15 * 60 * 1000;
/** A request issued longer ago than this is stale (and could not be told from a replay once its row is swept). */
const MAX_REQUEST_AGE_MS = 10 * 60 * 1000;
const MAX_CLOCK_SKEW_MS = 3 * 60 * 1000;

export class SamlRequestError extends Error {
  override name = 'SamlRequestError';
}

export type IncomingRequest =
  | { binding: 'redirect'; samlRequest: string; relayState?: string; sigAlg?: string; signature?: string; octetString: string }
  | { binding: 'post'; samlRequest: string; relayState?: string };

export interface AcceptedRequest {
  handle: string;
  sp: StoredServiceProvider;
}

/** The XML of a message in either binding, with its size bounded before and after inflating. */
export function decodeMessage(req: { binding: 'redirect' | 'post'; samlRequest: string }): string {
  if (req.samlRequest.length > MAX_SAML_MESSAGE_CHARS) throw new SamlRequestError('the SAML request is too large');
  try {
    const bytes = Buffer.from(req.samlRequest, 'base64');
    // maxOutputLength stops a small deflated message from expanding without bound.
    const xml = req.binding === 'redirect' ? inflateRawSync(bytes, { maxOutputLength: MAX_SAML_MESSAGE_CHARS * 4 }) : bytes;
    return xml.toString('utf8');
  } catch {
    throw new SamlRequestError('the SAML request could not be decoded');
  }
}

const EXTRA_FIELDS = [
  { key: 'request', localPath: ['AuthnRequest'], attributes: ['ID', 'IssueInstant', 'Destination', 'AssertionConsumerServiceURL', 'AssertionConsumerServiceIndex', 'ProtocolBinding', 'ForceAuthn', 'IsPassive'] },
  { key: 'issuer', localPath: ['AuthnRequest', 'Issuer'], attributes: [] },
  { key: 'contexts', localPath: ['AuthnRequest', 'RequestedAuthnContext', 'AuthnContextClassRef'], attributes: [] },
  { key: 'references', localPath: ['AuthnRequest', 'Signature', 'SignedInfo', 'Reference'], attributes: ['URI'] },
];

interface RequestFields {
  request?: { id?: string; issueInstant?: string; destination?: string; assertionConsumerServiceUrl?: string; assertionConsumerServiceIndex?: string; protocolBinding?: string; forceAuthn?: string; isPassive?: string };
  issuer?: string;
  contexts?: string | string[] | null;
  references?: string | string[] | null;
}

async function fieldsOf(xml: string): Promise<RequestFields> {
  try {
    await samlify.SamlLib.isValidXml(xml);
  } catch {
    throw new SamlRequestError('the SAML request is not a valid SAML 2.0 message');
  }
  return samlify.Extractor.extract(xml, EXTRA_FIELDS) as RequestFields;
}

export function checkTime(issueInstant: string | undefined, now: Date): void {
  const at = issueInstant ? Date.parse(issueInstant) : NaN;
  if (Number.isNaN(at)) throw new SamlRequestError('the SAML request has no valid IssueInstant');
  if (at < now.getTime() - MAX_REQUEST_AGE_MS || at > now.getTime() + MAX_CLOCK_SKEW_MS) throw new SamlRequestError('the SAML request is too old or comes from the future: check the service provider\'s clock');
}

/** Verifies, checks and stores one AuthnRequest; throws SamlRequestError with a reason the SP's admin can act on. */
export async function acceptAuthnRequest(db: Db, issuer: string, keys: PublishedKeys, req: IncomingRequest, now = new Date()): Promise<AcceptedRequest> {
  const xml = decodeMessage(req);
  const fields = await fieldsOf(xml);
  const entityId = typeof fields.issuer === 'string' ? fields.issuer : '';
  const sp = entityId ? await findByEntityId(db, entityId) : undefined;
  if (!sp) throw new SamlRequestError('the SAML request comes from a service provider that is not registered here');
  const r = fields.request ?? {};
  if (!r.id || r.id.length > 256) throw new SamlRequestError('the SAML request has no ID');
  checkTime(r.issueInstant, now);
  if (r.destination && r.destination !== `${issuer}/saml/sso`) throw new SamlRequestError('the SAML request was meant for another identity provider (Destination)');
  if (r.protocolBinding && r.protocolBinding !== SAML_BINDING.post) throw new SamlRequestError('only the HTTP-POST binding is offered for responses');
  const acs = r.assertionConsumerServiceUrl ? sp.acs.find((a) => a.location === r.assertionConsumerServiceUrl)
    : r.assertionConsumerServiceIndex !== undefined ? sp.acs.find((a) => a.index === r.assertionConsumerServiceIndex) : sp.acs[0];
  if (!acs) {
    throw new SamlRequestError(r.assertionConsumerServiceUrl ? 'the SAML request names an AssertionConsumerServiceURL the service provider did not register'
      : 'the SAML request names an AssertionConsumerServiceIndex the service provider\'s metadata does not have (for the HTTP-POST binding)');
  }

  const signed = req.binding === 'redirect' ? Boolean(req.signature) : /<(\w+:)?Signature[\s>]/.test(xml);
  const idp = idpEntity(issuer, keys, { requireSignedRequests: sp.signsRequests || signed });
  try {
    const request = req.binding === 'redirect'
      ? { query: { SAMLRequest: req.samlRequest, RelayState: req.relayState, SigAlg: req.sigAlg, Signature: req.signature }, octetString: req.octetString }
      : { body: { SAMLRequest: req.samlRequest, RelayState: req.relayState } };
    await idp.parseLoginRequest(samlify.ServiceProvider({ metadata: sp.metadata }), req.binding, request);
    // Signature wrapping: the verified signature must cover this very AuthnRequest (its one reference
    // names the root's ID), not another element the fields above were not read from.
    if (req.binding === 'post' && signed) {
      const refs = [fields.references].flat();
      if (refs.length !== 1 || refs[0] !== `#${r.id}`) throw new Error('the signature does not cover the request');
    }
  } catch {
    throw new SamlRequestError(sp.signsRequests && !signed ? 'the service provider signs its requests, and this one is not signed' : 'the SAML request\'s signature does not verify');
  }

  const contexts = [fields.contexts].flat().filter((c): c is string => typeof c === 'string' && c.length > 0 && c.length <= 256);
  const handle = randomBytes(24).toString('base64url');
  const inserted = await db.insertInto('saml_requests').values({
    id: handle, sp_id: sp.id, request_id: r.id, acs_url: acs.location, relay_state: req.relayState?.slice(0, 1024) ?? null,
    requested_contexts: JSON.stringify(contexts.slice(0, 8)), force_authn: r.forceAuthn === 'true' || r.forceAuthn === '1' ? 1 : 0,
    answered_at: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + REQUEST_TTL_MS).toISOString(),
  }).onConflict((oc) => oc.columns(['sp_id', 'request_id']).doNothing()).executeTakeFirst();
  if (!inserted.numInsertedOrUpdatedRows) throw new SamlRequestError('this SAML request was already used');
  return { handle, sp };
}

/**
 * IdP-initiated sign-in: no AuthnRequest, so Tessera stores one of its own for
 * the SP's default ACS, under an id no SP can send (an xs:ID cannot hold a
 * colon), and the Response carries no InResponseTo. From there it is answered
 * like any other: the access decision first, once.
 */
const UNSOLICITED = 'idp-initiated:';

export function isUnsolicited(requestId: string): boolean {
  return requestId.startsWith(UNSOLICITED);
}

export async function storeUnsolicited(db: Db, sp: StoredServiceProvider, relayState: string | null, now = new Date()): Promise<string> {
  const handle = randomBytes(24).toString('base64url');
  await db.insertInto('saml_requests').values({
    id: handle, sp_id: sp.id, request_id: `${UNSOLICITED}${randomBytes(16).toString('hex')}`, acs_url: sp.acs[0]!.location, relay_state: relayState,
    requested_contexts: '[]', force_authn: 0, answered_at: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + REQUEST_TTL_MS).toISOString(),
  }).execute();
  return handle;
}

export interface PendingRequest {
  handle: string;
  spId: string;
  requestId: string;
  acsUrl: string;
  relayState: string | null;
  requestedContexts: string[];
  forceAuthn: boolean;
  createdAt: Date;
}

/** A stored request not yet answered and not expired. */
export async function pendingRequest(db: Db, handle: string, now = new Date()): Promise<PendingRequest | null> {
  const row = await db.selectFrom('saml_requests').selectAll().where('id', '=', handle).where('answered_at', 'is', null)
    .where('expires_at', '>', now.toISOString()).executeTakeFirst();
  if (!row) return null;
  return {
    handle: row.id, spId: row.sp_id, requestId: row.request_id, acsUrl: row.acs_url, relayState: row.relay_state,
    requestedContexts: JSON.parse(row.requested_contexts) as string[], forceAuthn: row.force_authn === 1, createdAt: new Date(row.created_at),
  };
}

/** Marks the request answered; false when another node (or a double click) answered it first. */
export async function claimRequest(db: Db, handle: string, now = new Date()): Promise<boolean> {
  const r = await db.updateTable('saml_requests').set({ answered_at: now.toISOString() }).where('id', '=', handle).where('answered_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteExpiredRequests(db: Db, now = new Date()): Promise<void> {
  await db.deleteFrom('saml_requests').where('expires_at', '<', now.toISOString()).execute();
}

