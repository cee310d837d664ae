import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * A push service of our own on 127.0.0.1: the receive side of RFC 8030 (a
 * POST to the subscription's endpoint answers 201 with a Location) that checks
 * what RFC 8292 and RFC 8030 ask of the sender: the `Authorization: vapid t=…, k=…`
 * header (ES256 signature verified with k, aud its own origin, exp within 24 h,
 * sub present), TTL and Urgency. Each subscription can be told how to answer.
 */
export type Behaviour = 'accept' | 'gone' | 'hang' | 'busy-once';

export interface Received {
  subscription: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** What was wrong with the request, empty when it is as the RFCs ask. */
  problems: string[];
  vapid: { key: string; claims: Record<string, unknown> } | null;
}

export interface PushService {
  origin: string;
  /** A new subscription endpoint (a capability URL, as real push services hand out). */
  endpoint(behaviour?: Behaviour): string;
  received: Received[];
  /** The messages for this endpoint once at least `count` have arrived. */
  waitFor(endpoint: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

function checkVapid(header: string | undefined, origin: string, problems: string[]): Received['vapid'] {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), ?k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) {
    problems.push('no vapid Authorization header');
    return null;
  }
  const [jwt, k] = [m[1]!, m[2]!];
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (head.alg !== 'ES256') problems.push(`JWT alg ${String(head.alg)}`);
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) problems.push('k is not an uncompressed P-256 point');
  else {
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
    if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) problems.push('JWT signature does not verify with k');
  }
  if (claims.aud !== origin) problems.push(`aud ${String(claims.aud)} is not ${origin}`);
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 24 * 3600) problems.push('exp not within 24 hours');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) problems.push('sub missing');
  return { key: k, claims };
}

function checkHeaders(headers: IncomingMessage['headers'], problems: string[]): void {
  if (!/^\d+$/.test(String(headers.ttl ?? ''))) problems.push('TTL header missing');
  if (!['very-low', 'low', 'normal', 'high'].includes(String(headers.urgency ?? ''))) problems.push('Urgency header missing or unknown');
  if (headers['content-encoding'] !== 'aes128gcm') problems.push('Content-Encoding is not aes128gcm');
}

export async function startPushService(): Promise<PushService> {
  const behaviours = new Map<string, Behaviour>();
  const received: Received[] = [];
  const waiting: Array<() => void> = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const id = /^\/push\/([0-9a-f-]{36})$/.exec(req.url ?? '')?.[1];
    const behaviour = id ? behaviours.get(id) : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !id || !behaviour) return res.writeHead(404).end();
      const problems: string[] = [];
      const vapid = checkVapid(req.headers.authorization, origin, problems);
      checkHeaders(req.headers, problems);
      received.push({ subscription: id, headers: req.headers, body: Buffer.concat(chunks), problems, vapid });
      waiting.splice(0).forEach((wake) => wake());
      if (behaviour === 'hang') return void hanging.add(res);
      if (behaviour === 'gone') return res.writeHead(410).end();
      if (behaviour === 'busy-once') {
        behaviours.set(id, 'accept');
        return res.writeHead(429, { 'retry-after': '1' }).end();
      }
      if (problems.some((p) => p.startsWith('JWT') || p.startsWith('aud') || p.startsWith('no vapid'))) return res.writeHead(403).end();
      res.writeHead(201, { location: `${origin}/message/${randomUUID()}` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    endpoint(behaviour = 'accept') {
      const id = randomUUID();
      behaviours.set(id, behaviour);
      return `${origin}/push/${id}`;
    },
    async waitFor(endpoint, count = 1, timeoutMs = 10_000) {
      const id = endpoint.slice(endpoint.lastIndexOf('/') + 1);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter((r) => r.subscription === id);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`the push service received ${found.length} of ${count} messages for this subscription`);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
