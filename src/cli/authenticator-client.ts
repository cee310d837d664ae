import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  approvalSigningString, enrolmentSigningString, HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningString,
} from '../methods/push/protocol.ts';

/**
 * A headless push authenticator speaking only the documented protocol
 * (docs/push-protocol.md). Its device key and TOTP accounts live in one file
 * it creates with mode 0600.
 */
export interface TotpAccount {
  name: string;
  secret: string;
  digits: number;
  period: number;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
}

export interface KeyFile {
  version: 1;
  issuer: string;
  credentialId: string;
  deviceId: string;
  label: string;
  privateKey: webcrypto.JsonWebKey;
  publicKey: webcrypto.JsonWebKey;
  totp: TotpAccount[];
}

export interface PendingRequest {
  id: string;
  nonce: string;
  app: string | null;
  ip: string | null;
  location: string;
  createdAt: string;
  expiresAt: string;
}

export class AuthenticatorError extends Error {
  override name = 'AuthenticatorError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

async function sign(privateJwk: webcrypto.JsonWebKey, text: string): Promise<string> {
  const key = await webcrypto.subtle.importKey('jwk', privateJwk, ALG, false, ['sign']);
  const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(text));
  return Buffer.from(sig).toString('base64url');
}

export function readKeyFile(path: string): KeyFile {
  if (!existsSync(path)) throw new AuthenticatorError(0, `no authenticator key file at ${path}: enrol first`);
  return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
}

/** Writes the key file readable by its owner only (0600), replacing it atomically. */
export function writeKeyFile(path: string, data: KeyFile, create = false): void {
  const text = JSON.stringify(data, null, 2) + '\n';
  if (create) {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } else {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600, flag: 'w' });
    renameSync(tmp, path);
  }
  chmodSync(path, 0o600);
}

/** Splits an enrolment link "<issuer>/authenticator#enrol=<token>" into its parts. */
export function parseEnrolmentLink(link: string): { issuer: string; token: string } {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new AuthenticatorError(0, 'that is not an enrolment link');
  }
  const token = new URLSearchParams(url.hash.slice(1)).get('enrol');
  if (!token || !url.pathname.endsWith('/authenticator')) throw new AuthenticatorError(0, 'that is not an enrolment link');
  return { issuer: `${url.origin}${url.pathname.slice(0, -'/authenticator'.length)}`, token };
}

async function call(issuer: string, method: 'GET' | 'POST', path: string, body: unknown, key?: KeyFile): Promise<unknown> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) {
    const ts = String(Date.now());
    // Fresh for every call: the server accepts each signed request once.
    const nonce = randomBytes(18).toString('base64url');
    const url = new URL(issuer + path);
    headers[HEADER_CREDENTIAL] = key.credentialId;
    headers[HEADER_TIMESTAMP] = ts;
    headers[HEADER_NONCE] = nonce;
    headers[HEADER_SIGNATURE] = await sign(key.privateKey, requestSigningString(method, url.pathname + url.search, ts, nonce, text));
  }
  const res = await fetch(issuer + path, { method, headers, body: body === undefined ? undefined : text });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new AuthenticatorError(res.status, typeof answer.message === 'string' ? answer.message : `server answered ${res.status}`);
  return answer;
}

/** Enrols a new device key with a one-time link; returns the key file content (not yet written). */
export async function enrol(link: string, label: string): Promise<KeyFile> {
  const { issuer, token } = parseEnrolmentLink(link);
  const pair = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const privateKey = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
  const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const proof = await sign(privateKey, enrolmentSigningString(token));
  const r = (await call(issuer, 'POST', '/push/v1/enrol', {
    token, proof, label, platform: `cli ${process.platform}`,
    publicKey: { kty: publicKey.kty, crv: publicKey.crv, x: publicKey.x, y: publicKey.y },
  })) as { credentialId: string; deviceId: string };
  return { version: 1, issuer, credentialId: r.credentialId, deviceId: r.deviceId, label, privateKey, publicKey, totp: [] };
}

export async function pendingRequests(key: KeyFile, waitSeconds = 0): Promise<PendingRequest[]> {
  const r = (await call(key.issuer, 'GET', `/push/v1/requests?wait=${waitSeconds}`, undefined, key)) as { requests: PendingRequest[] };
  return r.requests;
}

export async function approve(key: KeyFile, request: Pick<PendingRequest, 'id' | 'nonce'>, number: string): Promise<string> {
  const signature = await sign(key.privateKey, approvalSigningString(request.id, number, request.nonce));
  return ((await call(key.issuer, 'POST', `/push/v1/requests/${request.id}/approve`, { number, signature }, key)) as { result: string }).result;
}

export async function deny(key: KeyFile, requestId: string, report: boolean): Promise<string> {
  return ((await call(key.issuer, 'POST', `/push/v1/requests/${requestId}/${report ? 'report' : 'deny'}`, {}, key)) as { result: string }).result;
}
