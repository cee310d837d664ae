import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes, webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { enrolCli, signinToPush, tempDir } from '../push/support.ts';
import {
  HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, enrolmentSigningString, requestSigningString,
} from '../../src/methods/push/protocol.ts';
import {
  Tally, assertHandled, assertPlainJsonError, fetchRetryingReset, fuzzParameters, hostileJson, hostileNumberString, hostileString, maxMs, urlPart,
} from './support.ts';

/**
 * The push-authenticator protocol (docs/push-protocol.md) with real device
 * signatures and broken ones: wrong keys or signatures, replayed nonces, bad
 * timestamps, garbage headers, hostile and oversized bodies, real and made-up
 * request ids. Every answer is below 500, a plain JSON error when refused,
 * quick; the device still works at the end.
 */

const PASSWORD = 'violet tangerine lighthouse';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const RUNS = 3_000;
const MAX_MS = maxMs(3_000);

interface Device { credentialId: string; key: webcrypto.CryptoKey }

type Route = 'device' | 'requests' | 'approve' | 'deny' | 'report' | 'enrol' | 'enrol-real' | 'webpush-key' | 'subscribe' | 'unsubscribe' | 'unknown';
const ROUTES: Record<Route, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: (id: string) => string }> = {
  device: { method: 'GET', path: () => '/push/v1/device' },
  requests: { method: 'GET', path: () => '/push/v1/requests' },
  approve: { method: 'POST', path: (id) => `/push/v1/requests/${id}/approve` },
  deny: { method: 'POST', path: (id) => `/push/v1/requests/${id}/deny` },
  report: { method: 'POST', path: (id) => `/push/v1/requests/${id}/report` },
  enrol: { method: 'POST', path: () => '/push/v1/enrol' },
  'enrol-real': { method: 'POST', path: () => '/push/v1/enrol' },
  'webpush-key': { method: 'GET', path: () => '/push/v1/webpush/key' },
  subscribe: { method: 'PUT', path: () => '/push/v1/webpush/subscription' },
  unsubscribe: { method: 'DELETE', path: () => '/push/v1/webpush/subscription' },
  unknown: { method: 'POST', path: (id) => `/push/v1/${id}` },
};

/** How the request is signed: properly, or broken in one way. */
type Signing = 'valid' | 'replayed' | 'wrong-signature' | 'other-nonce' | 'timestamp' | 'credential' | 'none' | 'garbage';

/** Header values must be bytes a client can send: visible ASCII only. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 4_000);
/** A wait that would hold the long poll open is not a fuzz case (it only waits); everything else is. */
const waitValue = fc.oneof(fc.constantFrom('0', '-1', '26', '1e309', 'NaN', ''), hostileNumberString, hostileString)
  .filter((w) => !(Number.isInteger(Number(w)) && Number(w) >= 1 && Number(w) <= 25));

const bodyArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ number: fc.oneof(fc.stringMatching(/^\d{2}$/), hostileString), signature: fc.oneof(fc.base64String({ maxLength: 100 }), hostileString) }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.record({ token: hostileString, publicKey: hostileJson, proof: hostileString, label: hostileString, platform: hostileString }, { requiredKeys: [] }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.record({ endpoint: fc.oneof(fc.webUrl(), hostileString), keys: hostileJson }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '{"number":"12","signature":"x"}{', 'x'.repeat(20_000)) },
);

async function signature(key: webcrypto.CryptoKey, text: string): Promise<string> {
  return Buffer.from(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(text))).toString('base64url');
}

async function headersFor(signing: Signing, d: Device, other: Device, method: string, path: string, body: string, junk: string): Promise<Record<string, string>> {
  const ts = signing === 'timestamp' ? headerSafe(junk) : String(Date.now());
  const nonce = randomBytes(18).toString('base64url');
  const signed = {
    [HEADER_CREDENTIAL]: signing === 'credential' ? headerSafe(junk) : d.credentialId,
    [HEADER_TIMESTAMP]: ts,
    [HEADER_NONCE]: signing === 'other-nonce' ? randomBytes(18).toString('base64url') : nonce,
    [HEADER_SIGNATURE]: await signature(signing === 'wrong-signature' ? other.key : d.key, requestSigningString(method, path, ts, nonce, body)),
  };
  if (signing === 'none') return {};
  if (signing === 'garbage') return { [HEADER_CREDENTIAL]: headerSafe(junk), [HEADER_TIMESTAMP]: headerSafe(junk), [HEADER_NONCE]: headerSafe(junk), [HEADER_SIGNATURE]: headerSafe(junk) };
  return signed;
}

/** An enrolment with a real link token and proof, so the hostile label and platform reach the store. */
async function realEnrolment(server: TestServer, userId: string, label: string, platform: string): Promise<string> {
  const { token } = await issuePushEnrolment(server.ctx.store, userId, { actor: 'test' });
  const pair = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  return JSON.stringify({ token, publicKey, proof: await signature(pair.privateKey, enrolmentSigningString(token)), label, platform });
}

function loadDevice(keyFile: string): Promise<Device> {
  const file = JSON.parse(readFileSync(keyFile, 'utf8')) as { credentialId: string; privateKey: webcrypto.JsonWebKey };
  return webcrypto.subtle.importKey('jwk', file.privateKey, ALG, false, ['sign']).then((key) => ({ credentialId: file.credentialId, key }));
}

for (const engine of ENGINES) {
  test(`the push protocol answers signed, broken and hostile requests without a 5xx on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine, { webPush: { contact: 'mailto:ops@example.com', allowPrivateOrigins: [] } });
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const user = await createUserWithPassword(server.ctx, 'piet', PASSWORD);
    const device = await loadDevice(await enrolCli(server, user.id, tmp.dir, 'piet'));
    const otherUser = await createUserWithPassword(server.ctx, 'otto', PASSWORD);
    const other = await loadDevice(await enrolCli(server, otherUser.id, tmp.dir, 'otto'));
    // Real pending requests, so approvals and denials reach the request logic.
    const requestIds: string[] = [];
    const pendingFor = async () => {
      // Denials and reports suspend push and many requests hit its rate limit: then the old ids serve.
      await signinToPush(server, 'piet', PASSWORD).catch(() => undefined);
      const rows = await server.ctx.store.db.selectFrom('push_requests').select('id').execute();
      requestIds.splice(0, requestIds.length, ...rows.map((r) => r.id));
    };
    await pendingFor();
    assert.ok(requestIds.length > 0, 'a sign-in left a pending push request');

    const arb = fc.record({
      route: fc.constantFrom(...(Object.keys(ROUTES) as Route[])),
      signing: fc.constantFrom<Signing>('valid', 'valid', 'valid', 'replayed', 'wrong-signature', 'other-nonce', 'timestamp', 'credential', 'none', 'garbage'),
      id: fc.oneof(fc.nat().map((n) => ({ real: n })), fc.uuid().map((given) => ({ given })), hostileString.map((given) => ({ given }))),
      wait: fc.option(waitValue, { nil: undefined }),
      body: bodyArb,
      label: fc.tuple(hostileString, hostileString),
      junk: fc.oneof(hostileString, hostileNumberString, fc.constantFrom(String(Date.now() - 3_600_000), String(Date.now() + 3_600_000), '0', '-1')),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', ''),
    });
    let run = 0;
    const seen = new Tally();
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      if (++run % 50 === 0) await pendingFor(); // requests expire or get answered: keep some open
      const route = ROUTES[c.route];
      const id = 'real' in c.id ? requestIds[c.id.real % requestIds.length] ?? 'none' : urlPart(c.id.given);
      const path = route.path(id) + (c.route === 'requests' && c.wait !== undefined ? `?wait=${urlPart(c.wait)}` : '');
      const enrolling = async () => (await createUserWithPassword(server.ctx, `enrol-${run}`, PASSWORD)).id;
      const body = route.method === 'GET' ? '' : c.route === 'enrol-real' ? await realEnrolment(server, await enrolling(), ...c.label) : c.body;
      const headers = await headersFor(c.signing, device, other, route.method, path, body, c.junk);
      if (c.contentType && body) headers['content-type'] = c.contentType;
      const send = () => fetchRetryingReset(server.url + path, { method: route.method, headers, ...(body ? { body } : {}) });
      if (c.signing === 'replayed') await (await send()).arrayBuffer();
      const started = performance.now();
      const res = await send();
      const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
      const what = `${route.method} ${path.slice(0, 120)} signed ${c.signing}`;
      assertHandled(answer, performance.now() - started, what, MAX_MS);
      assertPlainJsonError(answer, what);
      seen.add(`${c.route} ${answer.status}`);
    }), fuzzParameters(RUNS));
    t.diagnostic(`answers by route and status: ${seen}`);
    assert.ok(seen.count((k) => /^(approve|deny|report) (200|400|409|410)$/.test(k)) > 0, 'signed answers reached real requests');

    const fresh = await headersFor('valid', device, other, 'GET', '/push/v1/device', '', '');
    const still = await fetch(`${server.url}/push/v1/device`, { headers: fresh });
    assert.equal(still.status, 200, 'the device still authenticates');
  });
}
