import { createDecipheriv, createECDH, hkdfSync, randomBytes, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningString } from '../../src/methods/push/protocol.ts';

/**
 * The test's own browser side of Web Push: it makes a subscription's keys (a
 * P-256 key pair and a 16-byte auth secret) and decrypts what the push service
 * received with its own RFC 8291 / RFC 8188 (aes128gcm) decryption on
 * node:crypto alone, so nothing of web-push checks web-push.
 */
export interface UserAgentKeys {
  ecdh: ReturnType<typeof createECDH>;
  p256dh: string;
  auth: string;
}

export function userAgentKeys(): UserAgentKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** RFC 8188 §2 header: salt (16) ‖ rs (uint32) ‖ idlen (1) ‖ keyid; for Web Push the keyid is the sender's public key. */
function header(body: Buffer): { salt: Buffer; rs: number; keyId: Buffer; records: Buffer } {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  return { salt, rs, keyId: body.subarray(21, 21 + idlen), records: body.subarray(21 + idlen) };
}

/** Decrypts one Web Push message body (RFC 8291 §3.4 key derivation, RFC 8188 §2 records). */
export function decryptWebPush(keys: UserAgentKeys, body: Buffer): string {
  const { salt, rs, keyId: asPublic, records } = header(body);
  if (asPublic.length !== 65 || asPublic[0] !== 4) throw new Error('the keyid is not the sender\'s uncompressed P-256 key');
  const uaPublic = keys.ecdh.getPublicKey();
  const ecdhSecret = keys.ecdh.computeSecret(asPublic);
  // RFC 8291 §3.3-3.4: IKM = HKDF(auth, ecdh_secret, "WebPush: info" ‖ 0 ‖ ua_public ‖ as_public, 32).
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, Buffer.from(keys.auth, 'base64url'), keyInfo, 32));
  // RFC 8188 §2.2-2.3: the content-encryption key and the nonce from the salt.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const parts: Buffer[] = [];
  for (let seq = 0, at = 0; at < records.length; seq++, at += rs) {
    const record = records.subarray(at, Math.min(at + rs, records.length));
    const nonce = Buffer.from(baseNonce);
    // The record's sequence number is XORed into the nonce's last bytes (seq < 2^32 here).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the data, a delimiter (2 in the last record, 1 before), then zeros.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    const last = at + rs >= records.length;
    if (plain[end] !== (last ? 2 : 1)) throw new Error('bad record padding delimiter');
    parts.push(plain.subarray(0, end));
  }
  return Buffer.concat(parts).toString('utf8');
}

interface KeyFile {
  credentialId: string;
  privateKey: webcrypto.JsonWebKey;
}

export function readKeyFile(path: string): KeyFile {
  return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
}

/** A protocol call signed with the device key (or with another key, or unsigned), as any authenticator could send it. */
export async function signedCall(
  base: string, method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, body: unknown, key: KeyFile | null,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) {
    const ts = String(Date.now());
    const nonce = randomBytes(18).toString('base64url');
    const signer = await webcrypto.subtle.importKey('jwk', key.privateKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer, new TextEncoder().encode(requestSigningString(method, path, ts, nonce, text)));
    Object.assign(headers, { [HEADER_CREDENTIAL]: key.credentialId, [HEADER_TIMESTAMP]: ts, [HEADER_NONCE]: nonce, [HEADER_SIGNATURE]: Buffer.from(signature).toString('base64url') });
  }
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : text });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}
