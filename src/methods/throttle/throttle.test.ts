import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { addUser, auditActions, methodTestContext } from '../testing.ts';
import {
  checkThrottle, HARD_LIMIT, IP_LIMIT, IP_WINDOW_MS, LOCK_MS, recordFailure, recordSuccess, reserveAttempt,
  throttledVerification, throttleStatus, unlockFactor,
} from './index.ts';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

for (const engine of ENGINES) {
  test(`throttle on ${engine}`, engineSkip(engine), async (t) => {
    const ctx = await methodTestContext(engine);
    t.after(() => ctx.ts.close());
    const { store } = ctx;

    await t.test('a delay from the fifth failure, growing', async () => {
      const userId = await addUser(store);
      const key = { userId, method: 'totp' as const };
      for (let i = 0; i < 4; i++) await recordFailure(store, { ...key, now: at(0) });
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(0) }), { allowed: true });
      const fifth = await recordFailure(store, { ...key, now: at(0) });
      assert.equal(fifth.failures, 5);
      assert.equal(fifth.retryAfterMs, 1000);
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(400) }), { allowed: false, reason: 'delay', retryAfterMs: 600 });
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(1000) }), { allowed: true });
      await recordFailure(store, { ...key, now: at(1000) });
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(2000) }), { allowed: false, reason: 'delay', retryAfterMs: 1000 });
      // Other methods of the same account are separate.
      assert.deepEqual(await checkThrottle(store, { userId, method: 'backup_code', now: at(2000) }), { allowed: true });
    });

    await t.test('the tenth failure locks, so the eleventh try is refused', async () => {
      const userId = await addUser(store);
      const key = { userId, method: 'totp' as const };
      let clock = 0;
      const wrong = () => ({ ok: false, reason: 'invalid' }) as const;
      for (let i = 1; i <= 9; i++) {
        const r = await throttledVerification(store, { ...key, now: at(clock) }, async () => wrong());
        assert.deepEqual(r, { ok: false, reason: 'invalid' }, `try ${i}`);
        clock += 60_000; // past any delay
      }
      const tenth = await throttledVerification(store, { ...key, now: at(clock) }, async () => wrong());
      assert.deepEqual(tenth, { ok: false, reason: 'invalid', justLocked: true, retryAfterMs: LOCK_MS });
      let ran = false;
      const eleventh = await throttledVerification(store, { ...key, now: at(clock + 60_000) }, async () => {
        ran = true;
        return { ok: true, credentialId: 'x' };
      });
      assert.equal(ran, false, 'a locked factor is not even checked');
      assert.deepEqual(eleventh, { ok: false, reason: 'locked', retryAfterMs: LOCK_MS - 60_000, throttle: 'locked' });
      const status = await throttleStatus(store.db, userId, at(clock + 60_000));
      assert.deepEqual(status.map((s) => [s.method, s.failures, s.blocked, s.permanent]), [['totp', 10, true, false]]);
      // After 15 minutes a correct code gets through and resets the count.
      const ok = await throttledVerification(store, { ...key, now: at(clock + LOCK_MS) }, async () => ({ ok: true, credentialId: 'c1' }));
      assert.deepEqual(ok, { ok: true, credentialId: 'c1' });
      assert.deepEqual(await throttleStatus(store.db, userId), []);
    });

    await t.test('a success resets the count', async () => {
      const userId = await addUser(store);
      const key = { userId, method: 'password' as const };
      for (let i = 0; i < 7; i++) await recordFailure(store, { ...key, now: at(0) });
      await recordSuccess(store, key);
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(0) }), { allowed: true });
      const next = await recordFailure(store, { ...key, now: at(0) });
      assert.equal(next.failures, 1);
    });

    await t.test('parallel guesses cannot outrun the count', async () => {
      const userId = await addUser(store);
      const key = { userId, method: 'backup_code' as const, now: at(0) };
      const results = await Promise.all(Array.from({ length: 30 }, () => reserveAttempt(store, key)));
      // Five tries without delay; the sixth already has to wait for the fifth.
      assert.equal(results.filter((r) => r.allowed).length, 5);
      assert.ok(results.filter((r) => !r.allowed).every((r) => !r.allowed && r.reason === 'delay'));
    });

    await t.test('per-address limit across accounts', async () => {
      const ip = '198.51.100.23';
      const users = await Promise.all(Array.from({ length: 5 }, () => addUser(store)));
      for (let i = 0; i < IP_LIMIT; i++) {
        await recordFailure(store, { userId: users[i % users.length], method: 'password', ip, now: at(1000) });
      }
      const fresh = await addUser(store);
      const denied = await throttledVerification(store, { userId: fresh, method: 'password', ip, now: at(2000) }, async () => ({ ok: true, credentialId: 'p' }));
      assert.equal(denied.ok, false);
      if (!denied.ok) {
        assert.equal(denied.throttle, 'ip_limited');
        assert.ok(denied.retryAfterMs! > 0);
      }
      // The refused attempt counted nothing for the account.
      assert.deepEqual(await throttleStatus(store.db, fresh), []);
      // Another address is unaffected, the same /64 of IPv6 is one bucket.
      assert.deepEqual(await checkThrottle(store, { userId: fresh, method: 'password', ip: '198.51.100.24', now: at(2000) }), { allowed: true });
      for (let i = 0; i < IP_LIMIT; i++) await recordFailure(store, { method: 'password', ip: `2001:db8:7:7::${i.toString(16)}`, now: at(1000) });
      const v6 = await checkThrottle(store, { method: 'password', ip: '2001:db8:7:7:ffff::1', now: at(2000) });
      assert.equal(v6.allowed, false);
      // A success takes its reserved failure back from the address.
      const other = '192.0.2.99';
      for (let i = 0; i < IP_LIMIT - 1; i++) await recordFailure(store, { method: 'password', ip: other, now: at(1000) });
      const good = await throttledVerification(store, { userId: fresh, method: 'password', ip: other, now: at(2000) }, async () => ({ ok: true, credentialId: 'p' }));
      assert.equal(good.ok, true);
      assert.equal((await checkThrottle(store, { method: 'password', ip: other, now: at(2000) })).allowed, true);
    });

    await t.test('address windows older than the previous one are swept once a new window starts', async () => {
      const later = at(100 * IP_WINDOW_MS);
      await recordFailure(store, { method: 'password', ip: '203.0.113.77', now: later });
      const windows = await store.db.selectFrom('ip_throttle').select('window_start').execute();
      assert.ok(windows.length > 0);
      const previous = new Date((Math.floor(later.getTime() / IP_WINDOW_MS) - 1) * IP_WINDOW_MS).toISOString();
      assert.ok(windows.every((w) => w.window_start >= previous), 'older windows are gone');
    });

    await t.test('after 100 consecutive failures only an unlock helps', async () => {
      const userId = await addUser(store);
      const key = { userId, method: 'totp' as const };
      let last;
      for (let i = 0; i < HARD_LIMIT; i++) last = await recordFailure(store, { ...key, now: at(i * LOCK_MS) });
      assert.equal(last!.permanent, true);
      assert.equal(last!.justLocked, true);
      assert.equal(last!.retryAfterMs, null);
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(1000 * LOCK_MS) }), { allowed: false, reason: 'locked', retryAfterMs: null });
      assert.equal(await unlockFactor(store, { userId, method: 'totp', actor: 'user:helpdesk' }), true);
      assert.deepEqual(await checkThrottle(store, { ...key, now: at(1000 * LOCK_MS) }), { allowed: true });
      assert.deepEqual(await auditActions(store, userId), ['method.throttle.unlock']);
      assert.equal(await unlockFactor(store, { userId, method: 'totp', actor: 'user:helpdesk' }), false);
    });
  });
}
