import { createSign, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { newKey } from '../../src/protocols/saml/keys.ts';
import { certificateBody, RSA_SHA256, SAML_BINDING, samlify } from '../../src/protocols/saml/idp.ts';

/**
 * A service provider made up for the tests that send requests mellon would
 * never send: its own key, its metadata (it signs its AuthnRequests), and
 * helpers that build AuthnRequests and LogoutRequests by hand and sign them in
 * either binding, so a test can change any part before or after signing.
 */
export interface TestSp {
  entityId: string;
  acs: string;
  metadata: string;
  privateKey: string;
  certificate: string;
}

export async function makeTestSp(name: string, options: { signs?: boolean } = {}): Promise<TestSp> {
  const entityId = `https://${name}.example.com/saml`;
  const acs = `https://${name}.example.com/acs`;
  const key = await newKey(`https://${name}.example.com`);
  const metadata = samlify.ServiceProvider({
    entityID: entityId,
    authnRequestsSigned: options.signs ?? true,
    signingCert: key.certificate,
    assertionConsumerService: [{ Binding: SAML_BINDING.post, Location: acs }],
    singleLogoutService: [{ Binding: SAML_BINDING.redirect, Location: `https://${name}.example.com/slo` }],
  }).getMetadata();
  return { entityId, acs, metadata, privateKey: key.privateKeyPem, certificate: key.certificate };
}

export function newId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

export interface RequestParts {
  id?: string;
  issuer: string;
  destination: string;
  acs?: string;
  issueInstant?: string;
  classRef?: string;
  forceAuthn?: boolean;
  acsIndex?: string;
}

export function authnRequestXml(p: RequestParts): string {
  const acs = `${p.acs ? ` AssertionConsumerServiceURL="${p.acs}" ProtocolBinding="${SAML_BINDING.post}"` : ''}${p.forceAuthn ? ' ForceAuthn="true"' : ''}${p.acsIndex ? ` AssertionConsumerServiceIndex="${p.acsIndex}"` : ''}`;
  const context = p.classRef
    ? `<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>${p.classRef}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>`
    : '';
  return `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${p.id ?? newId()}" Version="2.0" IssueInstant="${p.issueInstant ?? new Date().toISOString()}" Destination="${p.destination}"${acs}><saml:Issuer>${p.issuer}</saml:Issuer>${context}</samlp:AuthnRequest>`;
}

export function logoutRequestXml(p: { issuer: string; destination: string; nameId: string; sessionIndex?: string }): string {
  const index = p.sessionIndex ? `<samlp:SessionIndex>${p.sessionIndex}</samlp:SessionIndex>` : '';
  return `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${p.destination}"><saml:Issuer>${p.issuer}</saml:Issuer><saml:NameID>${p.nameId}</saml:NameID>${index}</samlp:LogoutRequest>`;
}

/** The query string of the Redirect binding; signed over SAMLRequest, RelayState and SigAlg as sent (bindings §3.4.4.1). */
export function redirectQuery(xml: string, options: { key?: string; relayState?: string; raw?: string } = {}): string {
  const message = options.raw ?? deflateRawSync(Buffer.from(xml)).toString('base64');
  let query = `SAMLRequest=${encodeURIComponent(message)}`;
  if (options.relayState !== undefined) query += `&RelayState=${encodeURIComponent(options.relayState)}`;
  if (!options.key) return query;
  query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
  const signature = createSign('RSA-SHA256').update(query).sign(options.key, 'base64');
  return `${query}&Signature=${encodeURIComponent(signature)}`;
}

/** An AuthnRequest signed inside the XML, as the POST binding carries it. */
export function signedPostXml(xml: string, key: string, certificate: string): string {
  return samlify.SamlLib.constructSAMLSignature({
    rawSamlMessage: xml, privateKey: key, signingCert: certificateBody(certificate), signatureAlgorithm: RSA_SHA256, isBase64Output: false, isMessageSigned: true,
    signatureConfig: { prefix: 'ds', location: { reference: "/*[local-name(.)='AuthnRequest']/*[local-name(.)='Issuer']", action: 'after' } },
  });
}
