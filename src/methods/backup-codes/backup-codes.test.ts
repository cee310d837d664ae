import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { addUser, auditActions, methodTestContext } from '../testing.ts';
import { listUserMethods } from '../list.ts';
import { MethodError } from '../errors.ts';
import { generateBackupCodes, remainingBackupCodes, revokeBackupCodes, verifyBackupCode } from './index.ts';

const by = { actor: 'user:test', requestId: 'req-2' };
const now = new Date('2030-01-01T00:00:00Z');

for (const engine of ENGINES) {
  test(`backup codes on ${engine}`, engineSkip(engine), async (t) => {
    const ctx = await methodTestContext(engine);
    t.after(() => ctx.ts.close());
    const { store } = ctx;

    await t.test('ten codes, stored only as keyed digests, audited', async () => {
      const userId = await addUser(store);
      assert.deepEqual(await verifyBackupCode(ctx, userId, 'abcde-12345'), { ok: false, reason: 'not_registered' });
      const codes = await generateBackupCodes(ctx, userId, by);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const c of codes) assert.match(c, /^[0-9a-z]{5}-[0-9a-z]{5}$/);
      assert.equal(await remainingBackupCodes(ctx, userId), 10);
      const rows = JSON.stringify(await store.db.selectFrom('backup_codes').selectAll().execute()) + JSON.stringify(await store.db.selectFrom('backup_code_sets').selectAll().execute());
      for (const c of codes) assert.ok(!rows.includes(c.replace('-', '')) && !rows.includes(c), 'a code is stored in the clear');
      const audit = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      for (const c of codes) assert.ok(!audit.includes(c.replace('-', '')));
      assert.deepEqual(await auditActions(store, userId), ['method.backup_codes.generate']);
      assert.deepEqual((await listUserMethods(store.db, userId)).map((m) => [m.type, m.label]), [['backup_code', 'Backup codes (10 of 10 left)']]);
    });

    await t.test('each code works once, typed however', async () => {
      const userId = await addUser(store);
      const codes = await generateBackupCodes(ctx, userId, by);
      const first = await verifyBackupCode(ctx, userId, codes[0]!.toUpperCase().replace('-', ' '), { now });
      assert.equal(first.ok, true);
      assert.deepEqual(await verifyBackupCode(ctx, userId, codes[0]!, { now }), { ok: false, reason: 'replayed' });
      assert.deepEqual(await verifyBackupCode(ctx, userId, 'zzzzz-zzzzz', { now }), { ok: false, reason: 'invalid' });
      assert.deepEqual(await verifyBackupCode(ctx, userId, 'not a code', { now }), { ok: false, reason: 'invalid' });
      assert.equal(await remainingBackupCodes(ctx, userId), 9);
      const [listed] = await listUserMethods(store.db, userId);
      assert.equal(listed?.label, 'Backup codes (9 of 10 left)');
      assert.equal(listed?.lastUsedAt, now.toISOString());
      // Another user's code does nothing here.
      const other = await addUser(store);
      const theirs = await generateBackupCodes(ctx, other, by);
      assert.deepEqual(await verifyBackupCode(ctx, userId, theirs[0]!, { now }), { ok: false, reason: 'invalid' });
    });

    await t.test('a code sent by two requests at once succeeds once', async () => {
      const userId = await addUser(store);
      const [code] = await generateBackupCodes(ctx, userId, by);
      const results = await Promise.all([1, 2, 3, 4].map(() => verifyBackupCode(ctx, userId, code!, { now })));
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'replayed'));
      assert.equal(await remainingBackupCodes(ctx, userId), 9);
    });

    await t.test('a new set voids the old one; revoking voids all', async () => {
      const userId = await addUser(store);
      const old = await generateBackupCodes(ctx, userId, by);
      await verifyBackupCode(ctx, userId, old[0]!, { now });
      const fresh = await generateBackupCodes(ctx, userId, by);
      assert.deepEqual(await verifyBackupCode(ctx, userId, old[1]!, { now }), { ok: false, reason: 'invalid' });
      assert.equal(await remainingBackupCodes(ctx, userId), 10);
      const regen = await store.db.selectFrom('audit_log').select(['action', 'before_json']).where('target', '=', `user:${userId}`).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(JSON.parse(regen.before_json!).remaining, 9);
      assert.equal((await verifyBackupCode(ctx, userId, fresh[0]!, { now })).ok, true);
      assert.equal(await revokeBackupCodes(ctx, userId, by), true);
      assert.equal(await revokeBackupCodes(ctx, userId, by), false);
      assert.deepEqual(await verifyBackupCode(ctx, userId, fresh[1]!, { now }), { ok: false, reason: 'not_registered' });
      assert.deepEqual(await auditActions(store, userId), ['method.backup_codes.generate', 'method.backup_codes.generate', 'method.backup_codes.revoke']);
      await assert.rejects(generateBackupCodes(ctx, 'no-such-user', by), (e: unknown) => e instanceof MethodError && e.code === 'user_not_found');
    });

    await t.test('a used-up set no longer counts as a method', async () => {
      const userId = await addUser(store);
      const codes = await generateBackupCodes(ctx, userId, by);
      let clock = now.getTime();
      for (const c of codes) assert.equal((await verifyBackupCode(ctx, userId, c, { now: new Date((clock += 1000)) })).ok, true);
      assert.equal(await remainingBackupCodes(ctx, userId), 0);
      assert.deepEqual(await listUserMethods(store.db, userId), []);
      assert.deepEqual(await verifyBackupCode(ctx, userId, codes[0]!), { ok: false, reason: 'not_registered' });
    });

    await t.test('guessing is throttled', async () => {
      const userId = await addUser(store);
      const codes = await generateBackupCodes(ctx, userId, by);
      let clock = now.getTime();
      for (let i = 0; i < 10; i++) await verifyBackupCode(ctx, userId, 'zzzzz-zzzzz', { now: new Date((clock += 60_000)) });
      const r = await verifyBackupCode(ctx, userId, codes[0]!, { now: new Date((clock += 60_000)) });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'locked');
      assert.equal(await remainingBackupCodes(ctx, userId), 10, 'a refused try uses no code');
    });
  });
}
