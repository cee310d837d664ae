import { randomBytes } from 'node:crypto';
import { samlEntityId, samlify, certificateBody, type IdpEntity } from './idp.ts';
import type { SamlSigningKey } from './keys.ts';
import type { SamlSubject } from './subject.ts';

/**
 * The last step: a signed Response to one AuthnRequest. The Assertion is
 * signed, then the whole Response (both RSA-SHA256, exclusive c14n) by
 * samlify's signer (xml-crypto). Audience is the SP's entity id; Recipient and
 * Destination the ACS URL the request named; InResponseTo the request's ID;
 * the assertion is valid for 5 minutes. Every value put into the template is
 * XML-escaped by samlify's replaceTagsByValue. To an SP whose metadata
 * publishes an encryption certificate the signed Assertion goes encrypted
 * (AES-256-GCM, the key wrapped with RSA-OAEP) before the Response is signed.
 */
const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
export const ASSERTION_LIFETIME_MS = 5 * 60 * 1000;
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export interface ResponseInput {
  issuer: string;
  key: SamlSigningKey;
  spEntityId: string;
  acsUrl: string;
  /** The AuthnRequest's ID; null for an IdP-initiated sign-in, which answers no request. */
  inResponseTo: string | null;
  subject: SamlSubject;
  authnContextClassRef: string;
  authnInstant: Date;
  /** Ties the SP's session to Tessera's (for a later logout), without revealing its token. */
  sessionIndex: string;
  /** The SP's encryption certificate (base64 body), when its metadata publishes one. */
  encryptionCertificate?: string | null;
  now?: Date;
}

function samlId(): string {
  // An xs:ID must not start with a digit.
  return `_${randomBytes(20).toString('hex')}`;
}

function attributeStatement(subject: SamlSubject, values: Record<string, string>): string {
  if (!subject.attributes.length) return '';
  const attrs = subject.attributes.map((a, i) => {
    values[`AttrName${i}`] = a.name;
    const vals = a.values.map((v, j) => {
      values[`Attr${i}Value${j}`] = v;
      return `<saml:AttributeValue xsi:type="xs:string">{Attr${i}Value${j}}</saml:AttributeValue>`;
    });
    return `<saml:Attribute Name="{AttrName${i}}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${vals.join('')}</saml:Attribute>`;
  });
  return `<saml:AttributeStatement>${attrs.join('')}</saml:AttributeStatement>`;
}

function template(input: ResponseInput, values: Record<string, string>): string {
  const inResponseTo = input.inResponseTo === null ? '' : ' InResponseTo="{InResponseTo}"';
  const authn =
    '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext>' +
    '<saml:AuthnContextClassRef>{ClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}"${inResponseTo}>` +
    '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
    '<saml:Issuer>{Issuer}</saml:Issuer><saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>' +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Destination}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
    '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
    `${authn}${attributeStatement(input.subject, values)}</saml:Assertion></samlp:Response>`
  );
}

/** The Response with its one (signed) Assertion replaced by an EncryptedAssertion, by samlify and xml-encryption. */
async function encryptAssertion(xml: string, certificate: string): Promise<string> {
  // Only the encryption settings of this entity are used (samlify's types do not list the algorithm ones).
  const settings = {
    entityID: 'unused', signingCert: certificate, isAssertionEncrypted: true, dataEncryptionAlgorithm: AES256_GCM, keyEncryptionAlgorithm: RSA_OAEP,
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: 'https://unused.invalid/' }],
    singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://unused.invalid/' }],
  } as Parameters<typeof samlify.IdentityProvider>[0];
  const source = samlify.IdentityProvider(settings);
  // samlify reads the target's certificate from its metadata; this target has the one chosen here.
  const target = { entityMeta: { getX509Certificate: () => certificate } } as unknown as IdpEntity;
  const encrypted = await samlify.SamlLib.encryptAssertion(source, target, xml);
  return Buffer.from(encrypted, 'base64').toString('utf8');
}

/** The base64 SAMLResponse for the HTTP-POST binding. */
export async function signedResponse(input: ResponseInput): Promise<string> {
  const now = input.now ?? new Date();
  const values: Record<string, string> = {
    ID: samlId(), AssertionID: samlId(), IssueInstant: now.toISOString(), Destination: input.acsUrl, InResponseTo: input.inResponseTo ?? '',
    Issuer: samlEntityId(input.issuer), NameIDFormat: input.subject.nameIdFormat, NameID: input.subject.nameId,
    // A minute of allowance for the SP's clock, backwards only: the end stays ≤ 5 minutes ahead.
    NotBefore: new Date(now.getTime() - 60_000).toISOString(), NotOnOrAfter: new Date(now.getTime() + ASSERTION_LIFETIME_MS).toISOString(),
    Audience: input.spEntityId, AuthnInstant: input.authnInstant.toISOString(), SessionIndex: input.sessionIndex, ClassRef: input.authnContextClassRef,
  };
  const raw = template(input, values);
  const xml = samlify.SamlLib.replaceTagsByValue(raw, values);
  const base = {
    privateKey: input.key.privateKeyPem, signatureAlgorithm: RSA_SHA256, signingCert: certificateBody(input.key.certificate), isBase64Output: false,
  };
  const assertionSigned = samlify.SamlLib.constructSAMLSignature({
    ...base, rawSamlMessage: xml,
    referenceTagXPath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
    signatureConfig: { prefix: 'ds', location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } },
  });
  const inner = input.encryptionCertificate ? await encryptAssertion(assertionSigned, input.encryptionCertificate) : assertionSigned;
  const responseSigned = samlify.SamlLib.constructSAMLSignature({
    ...base, rawSamlMessage: inner, isMessageSigned: true,
    signatureConfig: { prefix: 'ds', location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' } },
  });
  return Buffer.from(responseSigned).toString('base64');
}
