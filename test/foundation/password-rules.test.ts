import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from './support.ts';

/** The NIST 800-63B rules where passwords are set: the admin API and the CLI answer with the reason. */
for (const engine of ENGINES) {
  test(`password rules through the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    s.ctx.config.issuer = 'https://login.acme-widgets.com';
    const admin = await s.token('global_admin');
    const message = (r: { body: string }) => (JSON.parse(r.body) as { message: string }).message;
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ username: 'mallory', password: 'Password1234567!' }, /password is too easy to guess: a common word or password/],
      [{ username: 'mallory', password: '123456789012345' }, /password must not be a sequence/],
      [{ username: 'mallory', password: 'qwertyuiopasdfghjkl' }, /password must not be a row of keys/],
      [{ username: 'mallory', password: 'iloveyouiloveyou' }, /password must not repeat/],
      [{ username: 'mallory', password: 'mallory has a long passphrase' }, /must not contain your username/],
      [{ username: 'mallory', displayName: 'Mallory Quinzel', password: 'quinzel has a long passphrase' }, /display name/],
      [{ username: 'mallory', password: 'tessera is my favourite place' }, /name of this service/],
      [{ username: 'mallory', password: 'acme widgets make great gifts' }, /name of this service or its address/],
    ];
    for (const [body, reason] of refusals) {
      const r = await s.call('POST', '/api/admin/users', { token: admin, body });
      assert.equal(r.statusCode, 400, `${body.password}: ${r.body}`);
      assert.match(message(r), reason, body.password);
    }
    const created = await s.call('POST', '/api/admin/users', { token: admin, body: { username: 'mallory', password: 'violet tangerine lighthouse' } });
    assert.equal(created.statusCode, 201, created.body);
    const reset = await s.call('PUT', '/api/admin/users/mallory/password', { token: admin, body: { password: 'Tessera2025!Tessera2025!' } });
    assert.equal(reset.statusCode, 400);
    assert.match(message(reset), /name of this service/);
  });
}

test('tessera user create shows why a password is refused', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-pw-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = { ...cliEnv(db, dataDir), TESSERA_ISSUER: 'https://id.northwind-traders.example' };
    const weak = await runCli(['user', 'create', 'bob', '--password-stdin'], env, 'qwertyuiopasdfghjkl\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /^tessera: password must not be a row of keys on the keyboard/);
    const host = await runCli(['user', 'create', 'bob', '--password-stdin'], env, 'northwind traders forever and ever\n');
    assert.match(host.stderr, /name of this service or its address/);
    const ok = await runCli(['user', 'create', 'bob', '--password-stdin'], env, 'violet tangerine lighthouse\n');
    assert.equal(ok.code, 0, ok.stderr);
  })));
});
