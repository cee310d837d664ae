import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from 'otpauth';
import { ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { addUser, auditActions, methodTestContext, type MethodTestContext } from '../testing.ts';
import { listUserMethods } from '../list.ts';
import { MethodError } from '../errors.ts';
import { LOCK_MS } from '../throttle/index.ts';
import { codeAt, stepAt, totpSettings, type TotpSettings } from './otp.ts';
import { beginTotpEnrolment, finishTotpEnrolment, importTotp, listTotp, loadTotpEnrolment, removeTotp, verifyTotp } from './index.ts';

const t0 = Date.parse('2030-01-01T00:00:10.000Z');
const at = (ms: number) => new Date(t0 + ms);
const by = { actor: 'user:test', requestId: 'req-1' };

function codeFor(secretBase32: string, s: TotpSettings, now: Date, stepDelta = 0): string {
  return codeAt(Secret.fromBase32(secretBase32).bytes, s, stepAt(s, now) + stepDelta);
}

/** A user with one active authenticator; returns what the tests need to make codes. */
async function enrolled(ctx: MethodTestContext) {
  const userId = await addUser(ctx.store);
  const e = await beginTotpEnrolment(ctx, userId, { now: at(0) });
  const done = await finishTotpEnrolment(ctx, userId, e.enrolmentId, codeFor(e.secretBase32, e.settings, at(0)), { ...by, now: at(0) });
  assert.equal(done.ok, true);
  return { userId, secret: e.secretBase32, settings: e.settings, credentialId: done.ok ? done.credentialId : '' };
}

for (const engine of ENGINES) {
  test(`TOTP on ${engine}`, engineSkip(engine), async (t) => {
    const ctx = await methodTestContext(engine);
    t.after(() => ctx.ts.close());
    const { store } = ctx;

    await t.test('enrolment: pending until a correct code, then active and audited', async () => {
      const userId = await addUser(store, 'alice');
      const e = await beginTotpEnrolment(ctx, userId, { label: 'Work phone', now: at(0) });
      assert.match(e.otpauthUri, /^otpauth:\/\/totp\/id\.example\.test:alice\?/);
      assert.match(e.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
      assert.equal(Secret.fromBase32(e.secretBase32).bytes.length, 20);
      assert.deepEqual(await listTotp(ctx, userId), [], 'pending is not listed');
      assert.deepEqual(await listUserMethods(store.db, userId), []);
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(e.secretBase32, e.settings, at(0)), { now: at(0) }), { ok: false, reason: 'not_registered' });

      const again = await loadTotpEnrolment(ctx, userId, e.enrolmentId, at(1000));
      assert.equal(again?.secretBase32, e.secretBase32, 'a reload shows the same secret');
      assert.equal(await loadTotpEnrolment(ctx, 'someone-else', e.enrolmentId, at(1000)), null);

      const wrongCode = String((Number(codeFor(e.secretBase32, e.settings, at(0))) + 1) % 1e6).padStart(6, '0');
      assert.deepEqual(await finishTotpEnrolment(ctx, userId, e.enrolmentId, wrongCode, { ...by, now: at(0) }), { ok: false, reason: 'invalid' });
      const done = await finishTotpEnrolment(ctx, userId, e.enrolmentId, codeFor(e.secretBase32, e.settings, at(1000)), { ...by, now: at(1000) });
      assert.equal(done.ok, true);
      const list = await listTotp(ctx, userId);
      assert.deepEqual(list.map((c) => [c.label, c.source, c.digits, c.period, c.algorithm]), [['Work phone', 'app', 6, 30, 'SHA1']]);
      assert.deepEqual((await listUserMethods(store.db, userId)).map((m) => [m.type, m.label]), [['totp', 'Work phone']]);
      assert.deepEqual(await auditActions(store, userId), ['method.totp.add']);
      assert.equal(await loadTotpEnrolment(ctx, userId, e.enrolmentId, at(1000)), null, 'no longer pending');
      assert.deepEqual(await finishTotpEnrolment(ctx, userId, e.enrolmentId, codeFor(e.secretBase32, e.settings, at(1000)), by), { ok: false, reason: 'not_found' });
      // The code that proved the app cannot then be used to sign in.
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(e.secretBase32, e.settings, at(1000)), { now: at(1000) }), { ok: false, reason: 'replayed' });
    });

    await t.test('an enrolment expires', async () => {
      const userId = await addUser(store);
      const e = await beginTotpEnrolment(ctx, userId, { now: at(0) });
      const late = at(16 * 60_000);
      assert.equal(await loadTotpEnrolment(ctx, userId, e.enrolmentId, late), null);
      assert.deepEqual(await finishTotpEnrolment(ctx, userId, e.enrolmentId, codeFor(e.secretBase32, e.settings, late), { ...by, now: late }), { ok: false, reason: 'not_found' });
    });

    await t.test('the seed is stored sealed, never in the clear', async () => {
      const userId = await addUser(store);
      const e = await beginTotpEnrolment(ctx, userId, { now: at(0) });
      const row = await store.db.selectFrom('totp_credentials').selectAll().where('id', '=', e.enrolmentId).executeTakeFirstOrThrow();
      const seed = Buffer.from(Secret.fromBase32(e.secretBase32).bytes);
      const stored = JSON.stringify(row);
      for (const form of [e.secretBase32, seed.toString('hex'), seed.toString('base64'), seed.toString('base64url'), seed.toString('latin1')]) {
        assert.ok(!stored.toLowerCase().includes(form.toLowerCase()), 'seed found in the row');
      }
      assert.match(row.seed_sealed, /^v1\./);
      assert.deepEqual(ctx.secrets.open(row.seed_sealed, 'totp-seed'), seed);
      assert.throws(() => ctx.secrets.open(row.seed_sealed, 'backup-code-key'), 'bound to its purpose');
    });

    await t.test('verification: current code once, neighbours once, old and wrong codes refused', async () => {
      const { userId, secret, settings, credentialId } = await enrolled(ctx);
      const now = at(90_000);
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(secret, settings, now), { now }), { ok: true, credentialId });
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(secret, settings, now), { now }), { ok: false, reason: 'replayed' });
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(secret, settings, now, -1), { now }), { ok: false, reason: 'replayed' }, 'an earlier step after a later one');
      const spaced = codeFor(secret, settings, now, 1).replace(/(\d{3})/, '$1 ');
      assert.deepEqual(await verifyTotp(ctx, userId, spaced, { now }), { ok: true, credentialId }, 'the next step (clock drift), typed with a space');
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(secret, settings, now, 5), { now }), { ok: false, reason: 'invalid' });
      assert.deepEqual(await verifyTotp(ctx, userId, 'nope', { now }), { ok: false, reason: 'invalid' });
      const row = await store.db.selectFrom('totp_credentials').select(['last_step', 'last_used_at']).where('id', '=', credentialId).executeTakeFirstOrThrow();
      assert.equal(Number(row.last_step), stepAt(settings, now) + 1);
      assert.equal(row.last_used_at, now.toISOString());
    });

    await t.test('the same code sent twice at once is accepted once', async () => {
      const { userId, secret, settings } = await enrolled(ctx);
      const now = at(120_000);
      const code = codeFor(secret, settings, now);
      const results = await Promise.all([1, 2, 3].map(() => verifyTotp(ctx, userId, code, { now })));
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.deepEqual(results.filter((r) => !r.ok), [{ ok: false, reason: 'replayed' }, { ok: false, reason: 'replayed' }]);
    });

    await t.test('wrong codes lock the factor; the eleventh try is refused even when right', async () => {
      const { userId, secret, settings } = await enrolled(ctx);
      let clock = 60_000;
      let last;
      for (let i = 0; i < 10; i++) {
        last = await verifyTotp(ctx, userId, '000000', { now: at(clock), ip: '203.0.113.5' });
        clock += 60_000;
      }
      assert.deepEqual(last, { ok: false, reason: 'invalid', justLocked: true, retryAfterMs: LOCK_MS });
      const eleventh = await verifyTotp(ctx, userId, codeFor(secret, settings, at(clock)), { now: at(clock) });
      assert.equal(eleventh.ok, false);
      if (!eleventh.ok) {
        assert.equal(eleventh.reason, 'locked');
        assert.ok(eleventh.retryAfterMs! > 0 && eleventh.retryAfterMs! <= LOCK_MS);
      }
    });

    await t.test('hardware tokens are imported with their settings', async () => {
      const userId = await addUser(store);
      const seed = Buffer.from('12345678901234567890');
      const secretBase32 = new Secret({ buffer: Uint8Array.from(seed).buffer }).base32;
      const { credentialId } = await importTotp(ctx, userId, { secretBase32, label: 'Token 0042', digits: 8, period: 60, ...by });
      const [token] = await listTotp(ctx, userId);
      assert.deepEqual([token?.label, token?.source, token?.digits, token?.period], ['Token 0042', 'import', 8, 60]);
      const s = totpSettings({ digits: 8, period: 60 });
      const now = at(10_000);
      assert.deepEqual(await verifyTotp(ctx, userId, codeFor(secretBase32, s, now), { now }), { ok: true, credentialId });
      assert.deepEqual(await auditActions(store, userId), ['method.totp.add']);
      await assert.rejects(importTotp(ctx, userId, { secretBase32: 'short', ...by }), (e: unknown) => e instanceof MethodError && e.code === 'invalid_secret');
      await assert.rejects(importTotp(ctx, 'no-such-user', { secretBase32, ...by }), (e: unknown) => e instanceof MethodError && e.code === 'user_not_found');
      const entry = await store.db.selectFrom('audit_log').select('after_json').where('target', '=', `user:${userId}`).executeTakeFirstOrThrow();
      assert.ok(!entry.after_json!.includes(secretBase32), 'the audit entry holds no secret');
    });

    await t.test('removal is audited and scoped to the user', async () => {
      const { userId, credentialId } = await enrolled(ctx);
      const other = await addUser(store);
      assert.equal(await removeTotp(ctx, other, credentialId, by), false);
      assert.equal(await removeTotp(ctx, userId, credentialId, by), true);
      assert.deepEqual(await listTotp(ctx, userId), []);
      assert.deepEqual(await auditActions(store, userId), ['method.totp.add', 'method.totp.remove']);
      assert.deepEqual(await verifyTotp(ctx, userId, '123456'), { ok: false, reason: 'not_registered' });
    });
  });
}
