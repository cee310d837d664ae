import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { verifyPassword } from '../methods/password/hash.ts';
import { ConflictError, InvalidInputError, NotFoundError, RefusedError } from './errors.ts';
import { grantRole } from './role-grants.ts';
import { describeUser } from './user-details.ts';
import {
  createUser,
  deleteUser,
  disableUser,
  DuplicateUserError,
  enableUser,
  listUsers,
  resolveUser,
  setUserPassword,
  updateUser,
} from './users.ts';

const by = { actor: 'test:users', requestId: 'req-1' };
const GOOD_PASSWORD = 'tangerine lighthouse orbit';

for (const engine of ENGINES) {
  test(`users service on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const actions = async () =>
      (await store.db.selectFrom('audit_log').select(['action', 'actor', 'request_id']).orderBy('seq').execute()).map((r) => r.action);

    await t.test('create with a password: hashed with argon2id, both steps audited', async () => {
      const alice = await createUser(store, { username: 'Alice', email: 'alice@example.com', password: GOOD_PASSWORD }, by);
      assert.equal(alice.username, 'Alice');
      assert.equal(alice.kind, 'person');
      assert.equal(alice.status, 'active');
      const cred = await store.db.selectFrom('password_credentials').selectAll().where('user_id', '=', alice.id).executeTakeFirstOrThrow();
      assert.match(cred.hash, /^\$argon2id\$/);
      assert.ok(await verifyPassword(cred.hash, GOOD_PASSWORD));
      assert.deepEqual(await actions(), ['user.create', 'method.password.set']);
      const entry = await store.db.selectFrom('audit_log').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
      assert.equal(entry.actor, 'test:users');
      assert.equal(entry.request_id, 'req-1');
      assert.equal(entry.target, `user:${alice.id}`);
    });

    await t.test('usernames are unique case-insensitively', async () => {
      await assert.rejects(createUser(store, { username: 'ALICE' }, by), DuplicateUserError);
      await assert.rejects(createUser(store, { username: 'alice' }, by), ConflictError);
      assert.equal((await resolveUser(store.db, 'aLiCe')).username, 'Alice');
    });

    await t.test('bad input is refused with a reason, before anything is written', async () => {
      const before = (await actions()).length;
      await assert.rejects(createUser(store, { username: 'bob', password: 'short pass' }, by), (err: Error) => {
        assert.ok(err instanceof InvalidInputError);
        assert.match(err.message, /at least 15/);
        return true;
      });
      await assert.rejects(createUser(store, { username: 'bad name!' }, by), /letters, digits/);
      await assert.rejects(createUser(store, { username: 'bob', email: 'not-an-email' }, by), /email/);
      assert.equal((await actions()).length, before);
      assert.equal(await store.db.selectFrom('users').select('id').where('username_key', '=', 'bob').executeTakeFirst(), undefined);
    });

    await t.test('list filters by status, kind and search', async () => {
      await createUser(store, { username: 'svc-backup', kind: 'service', displayName: 'Backup robot' }, by);
      await createUser(store, { username: 'bg1', kind: 'break_glass' }, by);
      assert.deepEqual((await listUsers(store.db)).map((u) => u.username), ['Alice', 'bg1', 'svc-backup']);
      assert.deepEqual((await listUsers(store.db, { kind: 'service' })).map((u) => u.username), ['svc-backup']);
      assert.deepEqual((await listUsers(store.db, { search: 'ROBOT' })).map((u) => u.username), ['svc-backup']);
      assert.deepEqual((await listUsers(store.db, { search: 'al' })).map((u) => u.username), ['Alice']);
      assert.deepEqual((await listUsers(store.db, { search: '%' })).map((u) => u.username), [], 'wildcards are literal');
      assert.deepEqual((await listUsers(store.db, { limit: 1, offset: 1 })).map((u) => u.username), ['bg1']);
    });

    await t.test('update records before and after; renames keep uniqueness', async () => {
      const updated = await updateUser(store, 'alice', { displayName: 'Alice Liddell', email: null }, by);
      assert.equal(updated.displayName, 'Alice Liddell');
      assert.equal(updated.email, null);
      const entry = await store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'user.update');
      assert.equal(JSON.parse(entry.before_json!).email, 'alice@example.com');
      assert.equal(JSON.parse(entry.after_json!).displayName, 'Alice Liddell');
      await assert.rejects(updateUser(store, 'bg1', { username: 'ALICE' }, by), DuplicateUserError);
      const n = (await actions()).length;
      await updateUser(store, 'alice', { displayName: 'Alice Liddell' }, by);
      assert.equal((await actions()).length, n, 'an unchanged patch writes no entry');
      await assert.rejects(updateUser(store, 'nobody', { displayName: 'x' }, by), NotFoundError);
    });

    await t.test('the last active global admin cannot be disabled or deleted', async () => {
      await grantRole(store, 'alice', 'global_admin', by);
      await assert.rejects(disableUser(store, 'alice', by), (err: Error) => {
        assert.ok(err instanceof RefusedError);
        assert.match(err.message, /last active global admin/);
        return true;
      });
      await assert.rejects(deleteUser(store, 'alice', by), RefusedError);
      // With a second active admin, the first can be disabled, and then not the second.
      await grantRole(store, 'bg1', 'global_admin', by);
      assert.equal((await disableUser(store, 'alice', by)).status, 'disabled');
      await assert.rejects(disableUser(store, 'bg1', by), RefusedError);
      assert.equal((await enableUser(store, 'alice', by)).status, 'active');
      const tail = (await actions()).slice(-2);
      assert.deepEqual(tail, ['user.disable', 'user.enable']);
    });

    await t.test('disabling an ordinary user is allowed; delete removes the account', async () => {
      assert.equal((await disableUser(store, 'svc-backup', by)).status, 'disabled');
      const n = (await actions()).length;
      await disableUser(store, 'svc-backup', by);
      assert.equal((await actions()).length, n, 'disabling twice writes one entry');
      await deleteUser(store, 'svc-backup', by);
      await assert.rejects(resolveUser(store.db, 'svc-backup'), NotFoundError);
    });

    await t.test('set password: rules apply, the hash is replaced, the event audited', async () => {
      await assert.rejects(setUserPassword(store, 'bg1', '1qaz2wsx3edc4rfv', by), /common|breached/);
      await assert.rejects(setUserPassword(store, 'bg1', 'bg1 is the best user', by), /username/);
      await setUserPassword(store, 'bg1', GOOD_PASSWORD, by);
      await setUserPassword(store, 'bg1', 'another fine passphrase', by);
      const user = await describeUser(store.db, 'bg1');
      assert.equal(user.hasPassword, true);
      assert.deepEqual(user.roles.map((r) => r.role), ['global_admin']);
      assert.deepEqual((await actions()).slice(-2), ['method.password.set', 'method.password.changed']);
      const cred = await store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(await verifyPassword(cred.hash, 'another fine passphrase'));
    });

    await t.test('no audit entry holds a password or its hash, and the chain verifies', async () => {
      const rows = await store.db.selectFrom('audit_log').selectAll().execute();
      for (const r of rows) {
        assert.ok(!`${r.before_json}${r.after_json}`.includes('argon2'), r.action);
        assert.ok(!`${r.before_json}${r.after_json}`.includes('lighthouse'), r.action);
      }
      assert.equal((await verifyAuditChain(store)).ok, true);
    });
  });
}
