import { createHash } from 'node:crypto';

/**
 * The strings a push authenticator signs, exactly as docs/push-protocol.md
 * describes them. Signatures are ECDSA P-256 with SHA-256 in the IEEE P1363
 * form (r || s, 64 bytes) that WebCrypto produces, base64url-encoded.
 */
export const PROTOCOL_VERSION = 'tessera-push-v1';

/** Headers of a signed authenticator request. */
export const HEADER_CREDENTIAL = 'x-tessera-credential';
export const HEADER_TIMESTAMP = 'x-tessera-timestamp';
export const HEADER_SIGNATURE = 'x-tessera-signature';

/** How far a signed request's timestamp may be from the server's clock. */
export const CLOCK_SKEW_MS = 120_000;

export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64url');
}

/** What the device key signs for every authenticated request. */
export function requestSigningString(method: string, pathAndQuery: string, timestamp: string, body: string): string {
  return [PROTOCOL_VERSION, method.toUpperCase(), pathAndQuery, timestamp, bodyDigest(body)].join('\n');
}

/** What the device key signs to approve one request: the number the person typed binds it. */
export function approvalSigningString(requestId: string, number: string, nonce: string): string {
  return ['tessera-push-approve-v1', requestId, number, nonce].join('\n');
}

/** Proof that the enrolling device holds the private key. */
export function enrolmentSigningString(token: string): string {
  return ['tessera-push-enrol-v1', token].join('\n');
}
