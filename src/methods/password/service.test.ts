import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash } from '@node-rs/argon2';
import { ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { addUser, auditActions, methodTestContext } from '../testing.ts';
import { MethodError, PasswordRejectedError } from '../errors.ts';
import { listUserMethods } from '../list.ts';
import { checkPassword, hasPassword, setPassword } from './service.ts';
import { verifyPasswordAttempt } from './attempt.ts';
import { needsRehash } from './hash.ts';

const by = { actor: 'user:admin', requestId: 'req-3' };
const GOOD = 'tangerine lighthouse';

for (const engine of ENGINES) {
  test(`password service on ${engine}`, engineSkip(engine), async (t) => {
    const ctx = await methodTestContext(engine);
    t.after(() => ctx.ts.close());
    const { store } = ctx;

    await t.test('set: rules checked, reason given, change audited without the password', async () => {
      const userId = await addUser(store, 'bob');
      await assert.rejects(setPassword(store, userId, 'short', by), (e: unknown) => e instanceof PasswordRejectedError && /at least 8/.test(e.reason));
      await assert.rejects(setPassword(store, userId, 'bob-the-builder', by), /username/);
      await assert.rejects(setPassword(store, userId, 'correct horse', { ...by, singleFactor: true }), /at least 15/);
      await assert.rejects(setPassword(store, 'nobody', GOOD, by), (e: unknown) => e instanceof MethodError && e.code === 'user_not_found');
      assert.equal(await hasPassword(store, userId), false);
      await setPassword(store, userId, GOOD, by);
      await setPassword(store, userId, GOOD + ' again', by);
      assert.deepEqual(await auditActions(store, userId), ['method.password.set', 'method.password.set']);
      const audit = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      assert.ok(!audit.includes('tangerine'));
      const row = await store.db.selectFrom('password_credentials').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
      assert.match(row.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    await t.test('check: right, wrong, unknown user, no password', async () => {
      const userId = await addUser(store);
      const noPassword = await addUser(store);
      await setPassword(store, userId, GOOD, by);
      assert.equal(await checkPassword(store, userId, GOOD), true);
      assert.equal(await checkPassword(store, userId, GOOD.toUpperCase()), false);
      assert.equal(await checkPassword(store, undefined, GOOD), false);
      assert.equal(await checkPassword(store, noPassword, GOOD), false);
      assert.equal(await checkPassword(store, userId, 'x'.repeat(10_000)), false);
      const [method] = await listUserMethods(store.db, userId);
      assert.equal(method?.type, 'password');
      assert.ok(method?.lastUsedAt, 'a successful check is remembered');
    });

    await t.test('an older hash is upgraded on the next successful check', async () => {
      const userId = await addUser(store);
      const weak = await hash(GOOD, { algorithm: 2, memoryCost: 8192, timeCost: 1, parallelism: 1 });
      const now = new Date().toISOString();
      await store.db.insertInto('password_credentials').values({ user_id: userId, hash: weak, created_at: now, updated_at: now }).execute();
      assert.equal(await checkPassword(store, userId, 'wrong password'), false);
      assert.equal((await store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', userId).executeTakeFirstOrThrow()).hash, weak);
      assert.equal(await checkPassword(store, userId, GOOD), true);
      const upgraded = (await store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', userId).executeTakeFirstOrThrow()).hash;
      assert.notEqual(upgraded, weak);
      assert.equal(needsRehash(upgraded), false);
      assert.equal(await checkPassword(store, userId, GOOD), true);
    });

    await t.test('throttled attempts: same answer for unknown names, locks alike', async () => {
      const userId = await addUser(store);
      await setPassword(store, userId, GOOD, by);
      const now = new Date('2030-01-01T00:00:00Z');
      assert.deepEqual(await verifyPasswordAttempt(store, { userId, password: GOOD, now }), { ok: true, credentialId: userId });
      assert.deepEqual(await verifyPasswordAttempt(store, { userId: undefined, throttleAs: 'unknown:mallory', password: GOOD, now }), { ok: false, reason: 'invalid' });
      const status = await store.db.selectFrom('method_throttle').select(['user_id', 'failures']).where('user_id', '=', 'unknown:mallory').execute();
      assert.deepEqual(status.map((s) => [s.user_id, Number(s.failures)]), [['unknown:mallory', 1]]);
    });
  });
}
