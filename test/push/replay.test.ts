import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes, webcrypto } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningString } from '../../src/methods/push/protocol.ts';
import { authenticator, enrolCli, tempDir } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A signed request as an authenticator sends it, kept whole so it can be sent again unchanged (as someone who captured it would). */
async function signedGet(keyFile: string, path: string, nonce = randomBytes(18).toString('base64url')): Promise<Record<string, string>> {
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { credentialId: string; privateKey: webcrypto.JsonWebKey };
  const ts = String(Date.now());
  const privateKey = await webcrypto.subtle.importKey('jwk', key.privateKey, ALG, false, ['sign']);
  const text = new TextEncoder().encode(requestSigningString('GET', path, ts, nonce, ''));
  const signature = Buffer.from(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, text)).toString('base64url');
  return { [HEADER_CREDENTIAL]: key.credentialId, [HEADER_TIMESTAMP]: ts, [HEADER_NONCE]: nonce, [HEADER_SIGNATURE]: signature };
}

async function send(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; message: string }> {
  const res = await fetch(url + path, { headers });
  const body = (await res.json()) as { message?: string };
  return { status: res.status, message: body.message ?? '' };
}

for (const engine of ENGINES) {
  test(`a signed push-protocol request is accepted once on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const user = await createUserWithPassword(server.ctx, 'rhea', PASSWORD);
    const keyFile = await enrolCli(server, user.id, tmp.dir, 'rhea');

    await t.test('the same signed GET sent again within its two minutes is refused', async () => {
      const path = '/push/v1/requests?wait=0';
      const captured = await signedGet(keyFile, path);
      assert.equal((await send(server.url, path, captured)).status, 200);
      const replay = await send(server.url, path, captured);
      assert.equal(replay.status, 401);
      assert.match(replay.message, /replayed/);
      assert.equal((await send(server.url, '/push/v1/device', await signedGet(keyFile, '/push/v1/device'))).status, 200, 'a fresh request still works');
    });

    await t.test('two copies of one request sent at once: exactly one is accepted', async () => {
      const path = '/push/v1/device';
      const captured = await signedGet(keyFile, path);
      const statuses = (await Promise.all([send(server.url, path, captured), send(server.url, path, captured)])).map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 401]);
    });

    await t.test('a request without a nonce, or with another nonce than it was signed with, is refused', async () => {
      const path = '/push/v1/device';
      const { [HEADER_NONCE]: _nonce, ...noNonce } = await signedGet(keyFile, path);
      const missing = await send(server.url, path, noNonce);
      assert.equal(missing.status, 401);
      assert.match(missing.message, /nonce/);
      const swapped = { ...(await signedGet(keyFile, path)), [HEADER_NONCE]: randomBytes(18).toString('base64url') };
      assert.equal((await send(server.url, path, swapped)).status, 401);
      const tooShort = await send(server.url, path, await signedGet(keyFile, path, 'abc'));
      assert.equal(tooShort.status, 401);
    });

    await t.test('the command-line authenticator keeps working: every call gets a fresh nonce', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await authenticator(keyFile, 'requests', '--json');
        assert.equal(r.code, 0, r.out.join('\n'));
      }
    });

    await t.test('accepted nonces are forgotten once their timestamps could no longer pass', async () => {
      const db = server.ctx.store.db;
      await db.updateTable('push_request_nonces').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
      assert.equal((await send(server.url, '/push/v1/device', await signedGet(keyFile, '/push/v1/device'))).status, 200);
      const left = await db.selectFrom('push_request_nonces').select('nonce').execute();
      assert.equal(left.length, 1, 'only the request just made is remembered');
    });
  });
}
