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
export const HEADER_NONCE = 'x-tessera-nonce';

/** How far a signed request's timestamp may be from the server's clock. */
export const CLOCK_SKEW_MS = 120_000;

/** A request nonce: chosen by the authenticator, fresh for every request, 16 to 64 base64url characters. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64url');
}

/**
 * What the device key signs for every authenticated request. The nonce makes
 * each signed request usable once: the server remembers it for as long as the
 * timestamp would let the request through.
 */
export function requestSigningString(method: string, pathAndQuery: string, timestamp: string, nonce: string, body: string): string {
  return [PROTOCOL_VERSION, method.toUpperCase(), pathAndQuery, timestamp, nonce, bodyDigest(body)].join('\n');
}

/** What the device key signs to approve one request: the number the person typed binds it. */
export function approvalSigningString(requestId: string, number: string, nonce: string): string {
  return ['tessera-push-approve-v1', requestId, number, nonce].join('\n');
}

/** Proof that the enrolling device holds the private key. */
export function enrolmentSigningString(token: string): string {
  return ['tessera-push-enrol-v1', token].join('\n');
}
