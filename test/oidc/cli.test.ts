import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip, openTestStore, type TestStore } from '../support/engines.ts';
import { startOidcServer } from './support.ts';
import { fetchJwks } from './jwt.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the real `tessera` command against the test database. */
function tessera(env: NodeJS.ProcessEnv, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tessera.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

function cliEnv(ts: TestStore, dataDir: string, masterKey: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: masterKey,
    TESSERA_LOG_LEVEL: 'warn',
  };
  if (ts.database.engine === 'postgres') env.DATABASE_URL = ts.database.url;
  else env.TESSERA_DATA_DIR = join(ts.database.file, '..');
  return env;
}

for (const engine of ENGINES) {
  test(`tessera client and tessera keys on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const masterKey = randomBytes(32).toString('base64');
    const env = cliEnv(ts, dataDir, masterKey);
    const server = await startOidcServer(engine, { testStore: ts, masterKey });
    t.after(() => server.close());
    const insecure = { execute: [oidc.allowInsecureRequests] };

    await t.test('create a sign-in app: the secret is shown once', async () => {
      const r = await tessera(env, ['client', 'create', 'wiki', '--redirect-uri', 'https://wiki.example.com/cb', '--name', 'Wiki']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /client wiki \(Wiki\)/);
      assert.match(r.out, /authorization_code, refresh_token/);
      const secret = /^(tcs_[A-Za-z0-9_-]{43})$/m.exec(r.out)?.[1];
      assert.ok(secret, 'the secret is printed');
      const show = await tessera(env, ['client', 'show', 'wiki', '--json']);
      assert.equal(show.code, 0, show.err);
      assert.ok(!show.out.includes(secret!), 'never shown again');
      assert.equal(JSON.parse(show.out).clientId, 'wiki');
    });

    await t.test('create a service account with --json and get a token with its secret', async () => {
      const r = await tessera(env, ['client', 'create', 'backup-job', '--grant', 'client_credentials', '--auth-method', 'client_secret_post', '--json']);
      assert.equal(r.code, 0, r.err);
      const created = JSON.parse(r.out) as { client: { grantTypes: string[] }; clientSecret: string };
      assert.deepEqual(created.client.grantTypes, ['client_credentials']);
      const config = await oidc.discovery(new URL(server.url), 'backup-job', undefined, oidc.ClientSecretPost(created.clientSecret), insecure);
      assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
    });

    await t.test('a key-based client from a JWKS file', async () => {
      const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
      const file = join(dataDir, 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [{ kty, crv, x, y, kid: 'k1' }] }));
      const r = await tessera(env, ['client', 'create', 'reporter', '--grant', 'client_credentials', '--jwks-file', file]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /private_key_jwt/);
      assert.ok(!/tcs_/.test(r.out), 'no secret for a key-based client');
      const config = await oidc.discovery(new URL(server.url), 'reporter', undefined, oidc.PrivateKeyJwt({ key: pair.privateKey, kid: 'k1' }), insecure);
      assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
    });

    await t.test('bad input gets a one-line reason and a non-zero exit', async () => {
      const dup = await tessera(env, ['client', 'create', 'wiki', '--redirect-uri', 'https://wiki.example.com/cb']);
      assert.equal(dup.code, 1);
      assert.match(dup.err, /^tessera: client wiki already exists\n$/);
      const http = await tessera(env, ['client', 'create', 'plain', '--redirect-uri', 'http://plain.example.com/cb']);
      assert.notEqual(http.code, 0);
      assert.match(http.err, /plain http is allowed for localhost only/);
      const none = await tessera(env, ['client', 'create', 'empty']);
      assert.equal(none.code, 2);
      assert.match(none.err, /give --redirect-uri/);
      const jwtNoKeys = await tessera(env, ['client', 'create', 'x-jwt', '--grant', 'client_credentials', '--auth-method', 'private_key_jwt']);
      assert.notEqual(jwtNoKeys.code, 0);
      assert.match(jwtNoKeys.err, /private_key_jwt needs the client public keys/);
    });

    await t.test('list, delete, and every change audited', async () => {
      const list = await tessera(env, ['client', 'list', '--json']);
      assert.deepEqual((JSON.parse(list.out) as Array<{ clientId: string }>).map((c) => c.clientId), ['backup-job', 'reporter', 'wiki']);
      const table = await tessera(env, ['client', 'list']);
      assert.match(table.out, /^CLIENTID/);
      const del = await tessera(env, ['client', 'delete', 'backup-job']);
      assert.equal(del.code, 0, del.err);
      const again = await tessera(env, ['client', 'delete', 'backup-job']);
      assert.equal(again.code, 1);
      assert.match(again.err, /no client backup-job/);
      const audit = await ts.store.db.selectFrom('audit_log').select(['action', 'target', 'actor']).where('action', 'like', 'client.%').execute();
      assert.deepEqual(audit.map((a) => `${a.action} ${a.target}`).sort(), [
        'client.create client:backup-job',
        'client.create client:reporter',
        'client.create client:wiki',
        'client.delete client:backup-job',
      ]);
      assert.ok(audit.every((a) => a.actor.startsWith('cli:')));
      const after = await ts.store.db.selectFrom('audit_log').select('after_json').where('target', '=', 'client:wiki').executeTakeFirstOrThrow();
      assert.ok(!after.after_json!.includes('tcs_'), 'no secret in the audit log');
    });

    await t.test('keys: list, rotate, retire (never the only active key)', async () => {
      const before = JSON.parse((await tessera(env, ['keys', 'list', '--json'])).out) as Array<{ kid: string; alg: string; status: string }>;
      assert.deepEqual(before.map((k) => `${k.alg} ${k.status}`).sort(), ['ES256 active', 'RS256 active'], 'created at server start');
      const rotated = await tessera(env, ['keys', 'rotate', '--alg', 'RS256']);
      assert.equal(rotated.code, 0, rotated.err);
      assert.match(rotated.out, /new active RS256 key/);
      const keys = JSON.parse((await tessera(env, ['keys', 'list', '--json'])).out) as Array<{ kid: string; alg: string; status: string }>;
      assert.deepEqual(keys.map((k) => `${k.alg} ${k.status}`).sort(), ['ES256 active', 'RS256 active', 'RS256 retiring']);
      assert.equal(await server.app.reloadOidcKeys(), true, 'the server notices the CLI rotation');
      assert.equal((await fetchJwks(server.url)).length, 3);

      const newRsa = keys.find((k) => k.alg === 'RS256' && k.status === 'active')!;
      const oldRsa = keys.find((k) => k.status === 'retiring')!;
      const refused = await tessera(env, ['keys', 'retire', newRsa.kid]);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /only active RS256 key/);
      // A thumbprint may begin with "-": it is a key id, not an option.
      const dashed = await tessera(env, ['keys', 'retire', '-Xq9-no-such-key']);
      assert.equal(dashed.code, 1, dashed.err);
      assert.doesNotMatch(dashed.err, /Unknown option|usage/);
      const retired = await tessera(env, ['keys', 'retire', oldRsa.kid]);
      assert.equal(retired.code, 0, retired.err);
      assert.equal((await tessera(env, ['keys', 'list', '--json'])).out.includes(oldRsa.kid), false, 'retired keys are hidden');
      assert.equal((await tessera(env, ['keys', 'list', '--all', '--json'])).out.includes(oldRsa.kid), true);
      const missing = await tessera(env, ['keys', 'retire', 'nope']);
      assert.equal(missing.code, 1);
      assert.match(missing.err, /no signing key nope/);
    });
  });
}
