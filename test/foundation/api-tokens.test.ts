import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken, type ApiToken } from '../../src/directory/api-tokens.ts';
import { grantRole } from '../../src/directory/role-grants.ts';
import { createUser, disableUser } from '../../src/directory/users.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from './support.ts';

/**
 * Accountable API tokens end to end: over HTTP (an expired token, a token
 * whose owner is disabled, the last-used address, what the API refuses) and
 * through the real `tessera token` command (--expires as days or an ISO time,
 * the one-year cap, --owner required).
 */
const by = { actor: 'test' };
const DAY = 86_400_000;
const daysFromNow = (iso: string) => Math.round((Date.parse(iso) - Date.now()) / DAY);

for (const engine of ENGINES) {
  test(`accountable API tokens over HTTP on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const { store } = s.ctx;
    const ana = await createUser(store, { username: 'ana' }, by);
    await grantRole(store, 'ana', 'global_admin', by);
    const admin = await createApiToken(store, { role: 'global_admin', name: 'automation', owner: 'ana' }, by);
    const from = (remoteAddress: string, token: string) =>
      s.app.inject({ method: 'GET', url: '/api/admin/tokens', remoteAddress, headers: { authorization: `Bearer ${token}` } });

    await t.test('the list shows owner, expiry, last use with its address, and state', async () => {
      assert.equal((await from('198.51.100.23', admin.token)).statusCode, 200);
      const items = (await from('198.51.100.23', admin.token)).json<{ items: ApiToken[] }>().items;
      const mine = items.find((x) => x.id === admin.id)!;
      assert.deepEqual(mine.owner, { id: ana.id, username: 'ana', active: true });
      assert.equal(mine.lastUsedAddress, '198.51.100.23');
      assert.ok(mine.lastUsedAt);
      assert.equal(mine.state, 'active');
      assert.equal(daysFromNow(mine.expiresAt!), 90);
    });

    await t.test('an expired token is refused with 401', async () => {
      const old = await createApiToken(store, { role: 'auditor', name: 'old', owner: 'ana', expiresInDays: 1 }, by);
      assert.equal((await s.call('GET', '/api/admin/users', { token: old.token })).statusCode, 200);
      // The day passes.
      await store.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', old.id).execute();
      const refused = await s.call('GET', '/api/admin/users', { token: old.token });
      assert.equal(refused.statusCode, 401);
      assert.match(refused.headers['www-authenticate'] as string, /invalid_token/);
      const listed = (await s.call('GET', '/api/admin/tokens', { token: admin.token })).json<{ items: ApiToken[] }>().items;
      assert.equal(listed.find((x) => x.id === old.id)!.state, 'expired');
    });

    await t.test("a token whose owner is disabled stops working", async () => {
      const bo = await createUser(store, { username: 'bo' }, by);
      await grantRole(store, bo.id, 'helpdesk', by);
      const desk = await createApiToken(store, { role: 'helpdesk', name: 'desk', owner: 'bo' }, by);
      assert.equal((await s.call('GET', '/api/admin/users', { token: desk.token })).statusCode, 200);
      await disableUser(store, 'bo', by);
      assert.equal((await s.call('GET', '/api/admin/users', { token: desk.token })).statusCode, 401);
    });

    await t.test('creating over the API: owned by who asks, within their roles, for at most a year', async () => {
      const post = (body: unknown, token = admin.token) => s.call('POST', '/api/admin/tokens', { token, body });
      const created = await post({ role: 'auditor', name: 'reports', expiresAt: new Date(Date.now() + 30 * DAY).toISOString() });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json<ApiToken>().owner?.username, 'ana', "the owner of the token asking");
      assert.equal((await post({ role: 'auditor', name: 'x', owner: 'ana' })).statusCode, 201);
      await createUser(store, { username: 'cy' }, by);
      const someoneElse = await post({ role: 'auditor', name: 'x', owner: 'cy' });
      assert.equal(someoneElse.statusCode, 409, 'nobody makes another person answer for a token');
      assert.match(someoneElse.json<{ message: string }>().message, /^owner: a token made over the API belongs to the person asking/);
      assert.equal((await post({ role: 'auditor', name: 'x', expiresInDays: 400 })).statusCode, 400);
      const late = await post({ role: 'auditor', name: 'x', expiresAt: new Date(Date.now() + 400 * DAY).toISOString() });
      assert.equal(late.statusCode, 400);
      assert.match(late.json<{ message: string }>().message, /at most 365 days/);
      const entry = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'token.create').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.actor, `token:${admin.id}`, 'audited under who created it');

      // A token from before owners has nobody behind it: it names the owner, whose roles bound the new token.
      const legacy = await s.token('global_admin');
      const nameless = await post({ role: 'auditor', name: 'x' }, legacy);
      assert.equal(nameless.statusCode, 400);
      assert.match(nameless.json<{ message: string }>().message, /^owner: name the person/);
      const beyond = await post({ role: 'helpdesk', name: 'x', owner: 'cy' }, legacy);
      assert.equal(beyond.statusCode, 409);
      assert.match(beyond.json<{ message: string }>().message, /which cy does not/);
      assert.equal((await post({ role: 'auditor', name: 'x', owner: 'ghost' }, legacy)).statusCode, 400);
      await grantRole(store, 'cy', 'auditor', by);
      assert.equal((await post({ role: 'auditor', name: 'x', owner: 'cy' }, legacy)).json<ApiToken>().owner?.username, 'cy');
    });
  });

  test(`tessera token create --owner --expires on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-token-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const store = await openStore(db.database);
    try {
      await createUser(store, { username: 'ana' }, by);
      await grantRole(store, 'ana', 'global_admin', by);
    } finally {
      await store.close();
    }
    const env = cliEnv(db, dataDir);
    const create = (...extra: string[]) => runCli(['token', 'create', '--role', 'auditor', '--name', 'reports', '--json', ...extra], env);
    const issued = async (...extra: string[]) => {
      const r = await create(...extra);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as ApiToken;
    };

    const isoTime = new Date(Date.now() + 20 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
    const isoDate = new Date(Date.now() + 40 * DAY).toISOString().slice(0, 10);
    const [days, iso, date, byDefault, legacyFlag] = await Promise.all([
      issued('--owner', 'ana', '--expires', '30d'),
      issued('--owner', 'ana', '--expires', isoTime),
      issued('--owner', 'ana', '--expires', isoDate),
      issued('--owner', 'ana'),
      issued('--owner', 'ana', '--expires-days', '7'),
    ]);
    assert.equal(daysFromNow(days.expiresAt!), 30);
    assert.equal(Date.parse(iso.expiresAt!), Date.parse(isoTime));
    assert.equal(date.expiresAt, `${isoDate}T00:00:00.000Z`, 'a date alone is midnight UTC');
    assert.equal(daysFromNow(byDefault.expiresAt!), 90);
    assert.equal(daysFromNow(legacyFlag.expiresAt!), 7);
    assert.equal(days.owner?.username, 'ana');

    const [noOwner, tooLong, tooLate, garbled] = await Promise.all([
      create(),
      create('--owner', 'ana', '--expires', '366d'),
      create('--owner', 'ana', '--expires', new Date(Date.now() + 400 * DAY).toISOString()),
      create('--owner', 'ana', '--expires', 'next tuesday'),
    ]);
    assert.equal(noOwner.code, 2);
    assert.match(noOwner.stderr, /--owner <username> is required/);
    assert.match(tooLong.stderr, /1 to 365 days/);
    assert.equal(tooLate.code, 1);
    assert.match(tooLate.stderr, /at most 365 days/);
    assert.match(garbled.stderr, /--expires takes an ISO time/);
    const list = await runCli(['token', 'list'], env);
    assert.match(list.stdout, /^ID\s+NAME\s+ROLE\s+OWNER\s+STATE\s+EXPIRES\s+LAST USED\s+FROM/);
    assert.match(list.stdout, /reports\s+auditor\s+ana\s+active/);
  });
}
