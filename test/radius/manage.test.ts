import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { quoted, radclientSkip, radius } from './support.ts';

/** RADIUS clients managed with the CLI and the admin API on a running node: secrets sealed, changes audited, no restart. */
const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'a-long-shared-secret-for-the-vpn';

for (const engine of ENGINES) {
  test(`tessera radius client and the admin API on ${engine}`, { ...engineSkip(engine), ...radclientSkip() }, async (t) => {
    const key = randomBytes(32);
    const testStore = await openTestStore(engine);
    const server = await startTestServer(engine, { radius: { host: '127.0.0.1', port: 0 } }, { node: { testStore, secrets: new SecretBox(key) } });
    const keyDir = mkdtempSync(join(tmpdir(), 'tessera-radius-cli-'));
    t.after(async () => {
      await server.close();
      rmSync(keyDir, { recursive: true, force: true });
    });
    const env = { ...cliEnv(testStore, keyDir), TESSERA_MASTER_KEY: key.toString('base64') };
    const port = server.app.radius!.address().port;
    await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    const login = (secret = SECRET) => radius(port, secret, { 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) }, { timeoutS: 1 });
    const db = server.ctx.store.db;

    await t.test('add with the secret on standard input: sealed at rest, audited without it, working at once', async () => {
      assert.equal((await login()).code, 'none', 'an unknown address is dropped');
      const short = await runCli(['radius', 'client', 'add', 'vpn', '--address', '127.0.0.1', '--secret-stdin'], env, 'too short');
      assert.equal(short.code, 1, short.stderr);
      assert.match(short.stderr, /at least 16 characters/);
      const added = await runCli(['radius', 'client', 'add', 'vpn', '--address', '127.0.0.0/30', '--secret-stdin'], env, `${SECRET}\n`);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /radius:vpn/);
      const row = await db.selectFrom('radius_clients').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(SECRET));
      const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'radius.client.add').executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(audit).includes(SECRET), 'the secret is not in the audit log');
      assert.match(audit.actor, /^cli:/);
      assert.equal((await login()).code, 'Access-Accept', 'the running node knows the new client');
      const list = await runCli(['radius', 'client', 'list', '--json'], env);
      assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string; mode: string }>).map((c) => [c.name, c.mode]), [['vpn', 'challenge']]);
      assert.ok(!list.stdout.includes(SECRET));
    });

    await t.test('the admin API: permission-checked, audited under the caller, and removal takes effect without a restart', async () => {
      const { token } = await createApiToken(server.ctx.store, { role: 'security_admin', name: 'radius admin' }, { actor: 'test' });
      const { token: auditor } = await createApiToken(server.ctx.store, { role: 'auditor', name: 'reader' }, { actor: 'test' });
      const call = (method: string, url: string, bearer: string, body?: unknown) =>
        fetch(`${server.url}/api/admin${url}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      assert.equal((await call('POST', '/radius/clients', auditor, { name: 'wifi', address: '10.0.0.0/8', secret: SECRET })).status, 403);
      assert.equal((await call('POST', '/radius/clients', token, { name: 'wifi', address: 'not an address', secret: SECRET })).status, 400);
      const created = await call('POST', '/radius/clients', token, { name: 'wifi', address: '10.0.0.0/8', secret: SECRET, mode: 'append' });
      assert.equal(created.status, 201);
      assert.ok(!(await created.text()).includes(SECRET));
      assert.equal((await call('POST', '/radius/clients', token, { name: 'wifi', address: '10.0.0.0/8', secret: SECRET })).status, 409);
      const listed = (await (await call('GET', '/radius/clients', auditor)).json()) as { items: Array<{ name: string }> };
      assert.deepEqual(listed.items.map((c) => c.name), ['vpn', 'wifi']);
      assert.equal((await call('DELETE', '/radius/clients/vpn', token)).status, 204);
      const removed = await db.selectFrom('audit_log').select('actor').where('action', '=', 'radius.client.remove').executeTakeFirstOrThrow();
      assert.match(removed.actor, /^token:/);
      // Each node re-reads its clients within a couple of seconds.
      await new Promise((r) => setTimeout(r, 2200));
      assert.equal((await login()).code, 'none', 'a removed client is dropped');
      assert.equal((await call('DELETE', '/radius/clients/vpn', token)).status, 404);
    });
  });
}

