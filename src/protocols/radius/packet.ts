import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * RADIUS packets (RFC 2865), with the Message-Authenticator rules of RFC 3579
 * as the BlastRADIUS mitigation asks: every Access-Request and Status-Server
 * must carry a valid Message-Authenticator, and every response carries one as
 * its first attribute. Attribute coding and the PAP password come from the
 * `radius` package; the authenticators are checked here, in constant time
 * (the package compares them as text).
 */
// The `radius` package (its dictionaries and their tables) is loaded by the first packet, not at
// start-up: a server with RADIUS turned off never needs it. Decoding is synchronous, hence require.
const require = createRequire(import.meta.url);
let coding: typeof import('radius') | undefined;
const radiusCoding = () => (coding ??= require('radius') as typeof import('radius'));

export const CODE = { accessRequest: 1, accessAccept: 2, accessReject: 3, accessChallenge: 11, statusServer: 12 } as const;
const MESSAGE_AUTHENTICATOR = 80;
const HEADER = 20;
const MAX_PACKET = 4096;

export interface Request {
  code: number;
  identifier: number;
  authenticator: Buffer;
  /** Decoded attributes by dictionary name (User-Password already decrypted). */
  attributes: Record<string, unknown>;
  /** Proxy-State attributes, returned unchanged in the response (RFC 2865 §5.33). */
  proxyStates: Buffer[];
  raw: Buffer;
}

export type Drop = { drop: 'malformed' | 'bad_authenticator' | 'no_message_authenticator' | 'unsupported_code' };

/** Walks the attributes without trusting their lengths; null when they do not add up. */
function attributeSpans(packet: Buffer, length: number): Array<{ type: number; start: number; end: number }> | null {
  const out: Array<{ type: number; start: number; end: number }> = [];
  for (let at = HEADER; at < length; ) {
    if (at + 2 > length) return null;
    const len = packet[at + 1]!;
    if (len < 2 || at + len > length) return null;
    out.push({ type: packet[at]!, start: at + 2, end: at + len });
    at += len;
  }
  return out;
}

function hmac(secret: string, data: Buffer): Buffer {
  return createHmac('md5', secret).update(data).digest();
}

/** Decodes and authenticates a request from a known NAS; anything wrong is a reason to drop it. */
export function decodeRequest(packet: Buffer, secret: string): Request | Drop {
  if (packet.length < HEADER || packet.length > MAX_PACKET) return { drop: 'malformed' };
  const code = packet[0]!;
  const length = packet.readUInt16BE(2);
  if (length < HEADER || length > packet.length) return { drop: 'malformed' };
  if (code !== CODE.accessRequest && code !== CODE.statusServer) return { drop: 'unsupported_code' };
  const data = packet.subarray(0, length);
  const spans = attributeSpans(data, length);
  if (!spans) return { drop: 'malformed' };
  const ma = spans.filter((s) => s.type === MESSAGE_AUTHENTICATOR);
  if (ma.length !== 1 || ma[0]!.end - ma[0]!.start !== 16) return { drop: 'no_message_authenticator' };
  const copy = Buffer.from(data);
  copy.fill(0, ma[0]!.start, ma[0]!.end);
  if (!timingSafeEqual(hmac(secret, copy), data.subarray(ma[0]!.start, ma[0]!.end))) return { drop: 'bad_authenticator' };
  let decoded: { attributes: Record<string, unknown>; identifier: number };
  try {
    decoded = radiusCoding().decode({ packet: Buffer.from(data), secret }) as typeof decoded;
  } catch {
    return { drop: 'malformed' };
  }
  return {
    code,
    identifier: packet[1]!,
    authenticator: Buffer.from(data.subarray(4, HEADER)),
    attributes: decoded.attributes,
    proxyStates: spans.filter((s) => s.type === 33).map((s) => Buffer.from(data.subarray(s.start, s.end))),
    raw: Buffer.from(data),
  };
}

export interface Reply {
  code: typeof CODE.accessAccept | typeof CODE.accessReject | typeof CODE.accessChallenge;
  replyMessage?: string;
  state?: string;
  sessionTimeout?: number;
}

const NAMES: Record<Reply['code'], string> = { 2: 'Access-Accept', 3: 'Access-Reject', 11: 'Access-Challenge' };

/** A text attribute holds at most 253 octets; longer replies are split over several Reply-Messages. */
function chunks(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 253) out.push(bytes.subarray(i, i + 253).toString('utf8'));
  return out;
}

/** Encodes a response: Message-Authenticator first, then the Response Authenticator over the whole packet. */
export function encodeReply(request: Request, reply: Reply, secret: string): Buffer {
  const attributes: Array<[string | number, unknown]> = [['Message-Authenticator', Buffer.alloc(16)]];
  for (const part of reply.replyMessage ? chunks(reply.replyMessage) : []) attributes.push(['Reply-Message', part]);
  if (reply.state) attributes.push(['State', Buffer.from(reply.state, 'utf8')]);
  if (reply.sessionTimeout) attributes.push(['Session-Timeout', reply.sessionTimeout]);
  for (const p of request.proxyStates) attributes.push([33, p]);
  const packet = radiusCoding().encode({
    code: NAMES[reply.code], identifier: request.identifier, secret, attributes, add_message_authenticator: false,
  });
  request.authenticator.copy(packet, 4);
  // The first attribute is the Message-Authenticator: its value sits at offset 22.
  hmac(secret, packet).copy(packet, HEADER + 2);
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  return packet;
}

/** Attribute values as text, when present. */
export function text(request: Request, name: string): string | null {
  const v = request.attributes[name];
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return null;
}
