import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/store.ts';
import { idpEntity, samlify, spEntity, type PublishedKeys } from './idp.ts';
import { checkTime, decodeMessage, SamlRequestError } from './requests.ts';
import { findByEntityId, type StoredServiceProvider } from './service-providers.ts';

/**
 * Single Logout, SP-initiated, by the Redirect binding. A LogoutRequest is
 * schema-checked, must come from a registered SP that publishes a signing
 * certificate and a Redirect SingleLogoutService, and must be signed (an
 * unsigned one could be sent by any page to sign people out); its signature is
 * verified by samlify. The answer is a signed LogoutResponse sent back to the
 * SP's SingleLogoutService. Which Tessera session ends is the caller's choice,
 * by sessionMatches.
 */
export interface LogoutRequestIn {
  samlRequest: string;
  relayState?: string;
  sigAlg?: string;
  signature?: string;
  /** The query's encoded SAMLRequest, RelayState and SigAlg, as the signature covers them. */
  octetString: string;
}

export interface AcceptedLogout {
  sp: StoredServiceProvider;
  requestId: string;
  nameId: string;
  sessionIndexes: string[];
  relayState?: string;
  /** The SP's Redirect SingleLogoutService, where the answer goes. */
  sloUrl: string;
}

const FIELDS = [
  { key: 'request', localPath: ['LogoutRequest'], attributes: ['ID', 'IssueInstant', 'Destination'] },
  { key: 'issuer', localPath: ['LogoutRequest', 'Issuer'], attributes: [] },
  { key: 'nameId', localPath: ['LogoutRequest', 'NameID'], attributes: [] },
  { key: 'sessionIndex', localPath: ['LogoutRequest', 'SessionIndex'], attributes: [] },
];

interface LogoutFields {
  request?: { id?: string; issueInstant?: string; destination?: string };
  issuer?: unknown;
  nameId?: unknown;
  sessionIndex?: unknown;
}

/** The SessionIndex an assertion carries for a Tessera session: tied to it without revealing its token. */
export function sessionIndexFor(sessionId: string): string {
  return `_${createHash('sha256').update(sessionId).digest('hex').slice(0, 32)}`;
}

export async function acceptLogoutRequest(db: Db, issuer: string, keys: PublishedKeys, req: LogoutRequestIn, now = new Date()): Promise<AcceptedLogout> {
  const xml = decodeMessage({ binding: 'redirect', samlRequest: req.samlRequest });
  try {
    await samlify.SamlLib.isValidXml(xml);
  } catch {
    throw new SamlRequestError('the logout request is not a valid SAML 2.0 message');
  }
  const fields = samlify.Extractor.extract(xml, FIELDS) as LogoutFields;
  if (!fields.request?.id) throw new SamlRequestError('the message is not a LogoutRequest');
  const entityId = typeof fields.issuer === 'string' ? fields.issuer : '';
  const sp = entityId ? await findByEntityId(db, entityId) : undefined;
  if (!sp) throw new SamlRequestError('the logout request comes from a service provider that is not registered here');
  const r = fields.request;
  if (r.id!.length > 256) throw new SamlRequestError('the logout request has no usable ID');
  checkTime(r.issueInstant, now);
  if (r.destination && r.destination !== `${issuer}/saml/slo`) throw new SamlRequestError('the logout request was meant for another identity provider (Destination)');
  const target = spEntity(sp.metadata, { signLogoutResponses: true });
  const sloUrl = target.entityMeta.getSingleLogoutService('redirect');
  if (typeof sloUrl !== 'string' || !/^https?:\/\//.test(sloUrl)) throw new SamlRequestError('the service provider\'s metadata has no SingleLogoutService with the HTTP-Redirect binding');
  if (!sp.hasSigningCertificate) throw new SamlRequestError('the service provider\'s metadata has no signing certificate, so its logout requests cannot be verified');
  if (!req.signature || !req.sigAlg) throw new SamlRequestError('the logout request is not signed');
  try {
    await idpEntity(issuer, keys).parseLogoutRequest(target, 'redirect', {
      query: { SAMLRequest: req.samlRequest, RelayState: req.relayState, SigAlg: req.sigAlg, Signature: req.signature }, octetString: req.octetString,
    });
  } catch {
    throw new SamlRequestError('the logout request\'s signature does not verify');
  }
  const nameId = typeof fields.nameId === 'string' ? fields.nameId : '';
  const sessionIndexes = [fields.sessionIndex].flat().filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 256).slice(0, 16);
  return { sp, requestId: r.id!, nameId, sessionIndexes, relayState: req.relayState, sloUrl };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether the browser's Tessera session is the one the SP's session came from:
 * by SessionIndex when the request names one (what Tessera put in the
 * assertion), else by the NameID this SP knows the person by.
 */
export function sessionMatches(logout: AcceptedLogout, session: { id: string }, nameIdOfSessionUser: string | null): boolean {
  if (logout.sessionIndexes.length) return logout.sessionIndexes.some((s) => sameText(s, sessionIndexFor(session.id)));
  return nameIdOfSessionUser !== null && logout.nameId !== '' && sameText(logout.nameId, nameIdOfSessionUser);
}

/** The signed LogoutResponse as a Redirect-binding URL to the SP's SingleLogoutService. */
export function logoutResponseUrl(issuer: string, keys: PublishedKeys, logout: AcceptedLogout): string {
  const target = spEntity(logout.sp.metadata, { signLogoutResponses: true });
  const { context } = idpEntity(issuer, keys).createLogoutResponse(
    target, { extract: { request: { id: logout.requestId } } }, 'redirect', logout.relayState ?? '',
  ) as { context: string };
  return context;
}
