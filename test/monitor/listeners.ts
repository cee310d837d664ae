import { generateKeyPairSync } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { SMTPServer } from 'smtp-server';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../src/monitor/outbox/channels/webhook-signature.ts';

/**
 * Real listeners for the delivery tests: an SMTP server offering STARTTLS
 * (smtp-server, with a certificate from a CA made for this run), an HTTP
 * receiver that checks the webhook signature as a receiver should, and
 * syslog over UDP and TCP (RFC 6587 octet counting) parsing RFC 5424.
 */
export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function forgeKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString()),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function certificate(subject: string, keys: ReturnType<typeof forgeKeys>, serial: string) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

/** A CA and a server certificate for localhost and 127.0.0.1 signed by it. */
export function makePki(): TestPki {
  const caKeys = forgeKeys();
  const ca = certificate('Test Mail CA', caKeys, '01');
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const keys = forgeKeys();
  const leaf = certificate('localhost', keys, '02');
  leaf.setIssuer(ca.subject.attributes);
  leaf.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(leaf), keyPem: keys.keyPem };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  secure: boolean;
  raw: string;
}

export interface Listener<T> {
  port: number;
  received: T[];
  close(): Promise<void>;
}

/** STARTTLS offered on a plain connection, or (implicit) TLS from the first byte. */
export async function startSmtp(pki: TestPki, implicitTls = false): Promise<Listener<ReceivedMail>> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: implicitTls,
    key: pki.keyPem,
    cert: pki.certPem,
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure, raw: Buffer.concat(chunks).toString('utf8') });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedWebhook {
  deliveryId: string;
  valid: boolean;
  body: Record<string, unknown>;
}

/** Answers with `status(n)` for the n-th request (1-based; 204 by default); records only the requests it accepted. */
export async function startWebhookReceiver(secret: string, status: (n: number) => number = () => 204): Promise<Listener<ReceivedWebhook> & { requests: number }> {
  const received: ReceivedWebhook[] = [];
  const state = { requests: 0 };
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verifyWebhookSignature(secret, req.headers[TIMESTAMP_HEADER] as string, body, req.headers[SIGNATURE_HEADER] as string);
      const code = valid ? status(state.requests) : 401;
      if (code < 300) received.push({ deliveryId: String(req.headers[DELIVERY_HEADER]), valid, body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    get requests() { return state.requests; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface Rfc5424 {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

const RFC5424 = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[([^ \]]+)((?: [^=\s]+="(?:[^"\\]|\\.)*")*)\])(?: \uFEFF?([\s\S]*))?$/;

/** Parses one RFC 5424 message (one SD element, as Tessera sends); throws on anything else. */
export function parseRfc5424(text: string): Rfc5424 {
  const m = RFC5424.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 120)}`);
  const params: Record<string, string> = {};
  for (const p of (m[10] ?? '').matchAll(/ ([^=\s]+)="((?:[^"\\]|\\.)*)"/g)) params[p[1]!] = p[2]!.replace(/\\(.)/g, '$1');
  return { pri: Number(m[1]), version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, appName: m[5]!, procId: m[6]!, msgId: m[7]!, sdId: m[9] ?? '-', params, msg: m[11] ?? '' };
}

export async function startSyslogUdp(): Promise<Listener<Rfc5424>> {
  const received: Rfc5424[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (data) => received.push(parseRfc5424(data.toString('utf8'))));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** RFC 6587 octet counting: "<length> <message>" repeated on one stream. */
export async function startSyslogTcp(): Promise<Listener<Rfc5424>> {
  const received: Rfc5424[] = [];
  const server = createTcpServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) return;
        const length = Number(buffer.subarray(0, space).toString());
        if (buffer.length < space + 1 + length) return;
        received.push(parseRfc5424(buffer.subarray(space + 1, space + 1 + length).toString('utf8')));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
