import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { ConflictError, NotFoundError, RefusedError } from './errors.ts';
import { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken } from './api-tokens.ts';
import { ROLE_PERMISSIONS } from './roles.ts';

const by = { actor: 'test:tokens' };

for (const engine of ENGINES) {
  test(`API tokens on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;

    await t.test('issued once, stored hashed, authenticates with its role', async () => {
      const issued = await createApiToken(store, { role: 'auditor', name: 'evidence bot' }, by);
      assert.match(issued.token, /^tsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(issued.token.split('_').slice(2).join('_')), 'the secret is not stored');
      const who = await authenticateApiToken(store, issued.token);
      assert.deepEqual(who, { id: issued.id, name: 'evidence bot', role: 'auditor', permissions: [...ROLE_PERMISSIONS.auditor], ownerId: null });
      const used = await store.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', issued.id).executeTakeFirstOrThrow();
      assert.ok(used.last_used_at);
      const entry = await store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'token.create');
      assert.ok(!entry.after_json!.includes(issued.token));
    });

    await t.test('wrong secret, malformed, revoked and expired tokens do not authenticate', async () => {
      const issued = await createApiToken(store, { role: 'helpdesk' }, by);
      assert.equal(issued.name, 'helpdesk token');
      const wrong = issued.token.slice(0, -4) + (issued.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      assert.equal(await authenticateApiToken(store, wrong), null);
      assert.equal(await authenticateApiToken(store, 'tsk_nonsense'), null);
      assert.equal(await authenticateApiToken(store, ''), null);
      const expiring = await createApiToken(store, { role: 'helpdesk', expiresInDays: 1 }, by);
      assert.ok(await authenticateApiToken(store, expiring.token));
      assert.equal(await authenticateApiToken(store, expiring.token, { now: new Date(Date.now() + 2 * 86_400_000) }), null);
      await revokeApiToken(store, issued.id, by);
      assert.equal(await authenticateApiToken(store, issued.token), null);
      await assert.rejects(revokeApiToken(store, issued.id, by), ConflictError);
      await assert.rejects(revokeApiToken(store, 'f'.repeat(32), by), NotFoundError);
      assert.equal((await listApiTokens(store.db)).length, 2);
      assert.equal((await listApiTokens(store.db, { includeRevoked: true })).length, 3);
    });

    await t.test('a creator cannot mint a token stronger than itself', async () => {
      await assert.rejects(
        createApiToken(store, { role: 'global_admin' }, by, ROLE_PERMISSIONS.security_admin),
        (err: Error) => err instanceof RefusedError && /tokens:write/.test(err.message),
      );
      assert.ok(await createApiToken(store, { role: 'auditor' }, by, ROLE_PERMISSIONS.global_admin));
    });
  });
}
