import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { StoreAdapter, cleanupExpired, payloadKey, revokeAllForAccount } from '../../src/protocols/oidc/adapter.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';

const epoch = () => Math.floor(Date.now() / 1000);

for (const engine of ENGINES) {
  test(`OIDC storage adapter on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const at = new StoreAdapter(store, 'AccessToken');
    const rt = new StoreAdapter(store, 'RefreshToken');
    const grants = new StoreAdapter(store, 'Grant');
    const sessions = new StoreAdapter(store, 'Session');
    const devices = new StoreAdapter(store, 'DeviceCode');

    await t.test('upsert then find returns the payload; upsert again replaces it', async () => {
      await at.upsert('a1', { jti: 'a1', accountId: 'u1', grantId: 'g1', scope: 'openid' }, 600);
      assert.deepEqual(await at.find('a1'), { jti: 'a1', accountId: 'u1', grantId: 'g1', scope: 'openid' });
      await at.upsert('a1', { jti: 'a1', accountId: 'u1', grantId: 'g1', scope: 'openid email' }, 600);
      assert.equal((await at.find('a1'))?.scope, 'openid email');
      assert.equal(await rt.find('a1'), undefined, 'models do not see each other');
      assert.equal(await at.find('nope'), undefined);
    });

    await t.test('upserts made together are written together; two to one row: the later wins', async () => {
      await Promise.all([
        at.upsert('b1', { jti: 'b1', scope: 'first' }, 600),
        rt.upsert('b1', { jti: 'b1', scope: 'refresh' }, 600),
        at.upsert('b2', { jti: 'b2' }, 600),
        at.upsert('b1', { jti: 'b1', scope: 'second' }, 600),
        grants.upsert('gb', { jti: 'gb', accountId: 'u9' }, 0),
      ]);
      assert.equal((await at.find('b1'))?.scope, 'second');
      assert.equal((await rt.find('b1'))?.scope, 'refresh');
      assert.ok(await at.find('b2'));
      const grant = await store.db.selectFrom('oidc_payloads').select(['account_id', 'expires_at']).where('id', '=', payloadKey('gb')).executeTakeFirstOrThrow();
      assert.deepEqual({ ...grant }, { account_id: 'u9', expires_at: null });
    });

    await t.test('a destroy or consume issued after an upsert is not overtaken by it', async () => {
      const write = sessions.upsert('s-gone', { jti: 's-gone', uid: 'u-gone', accountId: 'u9' }, 600);
      const gone = sessions.destroy('s-gone');
      await Promise.all([write, gone]);
      assert.equal(await sessions.find('s-gone'), undefined);
      const code = rt.upsert('r-used', { jti: 'r-used' }, 600);
      const used = rt.consume('r-used');
      await Promise.all([code, used]);
      assert.ok((await rt.find('r-used'))?.consumed);
    });

    await t.test('an expired row is not found, and cleanupExpired deletes it', async () => {
      await at.upsert('old', { jti: 'old' }, 600);
      await store.db.updateTable('oidc_payloads').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', payloadKey('old')).execute();
      assert.equal(await at.find('old'), undefined);
      assert.ok((await cleanupExpired(store)) >= 1);
      const left = await store.db.selectFrom('oidc_payloads').select('id').where('id', '=', payloadKey('old')).executeTakeFirst();
      assert.equal(left, undefined);
      assert.ok(await at.find('a1'), 'live rows stay');
    });

    await t.test('consume marks the row; find reports when', async () => {
      await rt.upsert('r1', { jti: 'r1', accountId: 'u1', grantId: 'g1' }, 600);
      assert.equal((await rt.find('r1'))?.consumed, undefined);
      await rt.consume('r1');
      const consumed = (await rt.find('r1'))?.consumed as number;
      assert.ok(Math.abs(consumed - epoch()) <= 2);
    });

    await t.test('sessions by uid, device codes by user code', async () => {
      await sessions.upsert('s1', { jti: 's1', uid: 'uid-1', accountId: 'u1' }, 600);
      // Found by uid, a session comes back without its id: the row does not hold it (see the adapter).
      assert.equal((await sessions.findByUid('uid-1'))?.accountId, 'u1');
      assert.equal(await sessions.findByUid('uid-2'), undefined);
      await devices.upsert('d1', { jti: 'd1', userCode: 'BCDF-GHJK', clientId: 'tv' }, 600);
      assert.equal((await devices.findByUserCode('BCDF-GHJK'))?.clientId, 'tv');
      assert.equal(await devices.findByUserCode('BCDF-GHJX'), undefined);
    });

    await t.test('rows are keyed by a hash: the store holds no id, and grant ids and user codes are keys too', async () => {
      const rows = await store.db.selectFrom('oidc_payloads').selectAll().execute();
      const text = JSON.stringify(rows);
      for (const secret of ['"a1"', '"s1"', '"d1"']) assert.ok(!text.includes(secret), secret);
      assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id)));
      assert.ok(rows.every((r) => r.grant_id === null || /^[0-9a-f]{64}$/.test(r.grant_id)), 'grant ids are keys too, so tokens join to their grant row');
      assert.ok(rows.every((r) => r.user_code === null || /^[0-9a-f]{64}$/.test(r.user_code)));
      assert.deepEqual(await at.find('a1'), { jti: 'a1', accountId: 'u1', grantId: 'g1', scope: 'openid email' }, 'find gives the id back');
    });

    await t.test('destroy and revokeByGrantId touch their own model only', async () => {
      await at.upsert('a2', { jti: 'a2', grantId: 'g2' }, 600);
      await rt.upsert('r2', { jti: 'r2', grantId: 'g2' }, 600);
      await at.revokeByGrantId('g2');
      assert.equal(await at.find('a2'), undefined);
      assert.ok(await rt.find('r2'));
      await rt.destroy('r2');
      assert.equal(await rt.find('r2'), undefined);
    });

    await t.test('revokeAllForAccount removes sessions, grants and their tokens of that account only', async () => {
      await grants.upsert('g1', { jti: 'g1', accountId: 'u1', clientId: 'c' }, 600);
      await grants.upsert('g9', { jti: 'g9', accountId: 'u9', clientId: 'c' }, 600);
      await at.upsert('a9', { jti: 'a9', accountId: 'u9', grantId: 'g9' }, 600);
      await sessions.upsert('s9', { jti: 's9', uid: 'uid-9', accountId: 'u9' }, 600);
      const counts = await revokeAllForAccount(store, 'u1');
      assert.deepEqual(counts, { sessions: 1, grants: 1, tokens: 2 });
      assert.equal(await at.find('a1'), undefined);
      assert.equal(await rt.find('r1'), undefined);
      assert.equal(await grants.find('g1'), undefined);
      assert.equal(await sessions.findByUid('uid-1'), undefined);
      assert.ok(await at.find('a9'));
      assert.ok(await grants.find('g9'));
      assert.ok(await sessions.findByUid('uid-9'));
    });

    await t.test('the Client model reads our client table and cannot be written', async () => {
      const clients = new StoreAdapter(store, 'Client');
      await createClient(store, { clientId: 'mail', redirectUris: ['https://mail.example.com/cb'] }, { actor: 'test' });
      const meta = await clients.find('mail');
      assert.equal(meta?.client_id, 'mail');
      assert.equal(meta?.token_endpoint_auth_method, 'client_secret_basic');
      assert.match(String(meta?.client_secret), /^sha256:[0-9a-f]{64}$/, 'only the hash is ever handed over');
      assert.deepEqual(meta?.response_types, ['code']);
      assert.equal(await clients.find('other'), undefined);
      await assert.rejects(clients.upsert('x', { client_id: 'x' }, 0), /clients are managed/);
    });
  });
}
