import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../../test/support/engines.ts';
import { auditedChange } from '../../audit/append.ts';
import { insertUser } from '../../directory/users.ts';
import { createSession, loadSession, revokeAllSessions } from './sessions.ts';

const timeouts = { idleSeconds: 3600, absoluteSeconds: 12 * 3600 };
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);

for (const engine of ENGINES) {
  test(`IdP sessions on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const db = ts.store.db;
    const user = await auditedChange(ts.store, (trx) => insertUser(trx, { username: 'erin' }));
    const t0 = new Date('2026-11-23T08:00:00.000Z');

    await t.test('idle timeout ends a session nobody uses; activity slides it', async () => {
      const { token } = await createSession(db, { userId: user.id, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, timeouts, t0);
      assert.ok(await loadSession(db, token, timeouts, at(t0, 50)), 'alive after 50 minutes');
      assert.ok(await loadSession(db, token, timeouts, at(t0, 100)), 'the use at 50 minutes slid the idle expiry');
      assert.equal(await loadSession(db, token, timeouts, at(t0, 161)), null, 'over an hour since the last use');
    });

    await t.test('absolute timeout ends even a busy session', async () => {
      const { token } = await createSession(db, { userId: user.id, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, timeouts, t0);
      for (let m = 50; m < 12 * 60; m += 50) assert.ok(await loadSession(db, token, timeouts, at(t0, m)), `alive at ${m} min`);
      assert.equal(await loadSession(db, token, timeouts, at(t0, 12 * 60 + 1)), null);
    });

    await t.test('a session may not outlive its notAfter (a temporary pass)', async () => {
      const { session } = await createSession(
        db,
        { userId: user.id, amr: ['otp'], acr: 'urn:tessera:acr:mfa', mfa: true, notAfter: at(t0, 30) },
        timeouts,
        t0,
      );
      assert.equal(session.absoluteExpiresAt.toISOString(), at(t0, 30).toISOString());
      assert.equal(session.idleExpiresAt.toISOString(), at(t0, 30).toISOString());
    });

    await t.test('tampered tokens, revocation and disabled users end sessions', async () => {
      const now = new Date();
      const { token, session } = await createSession(db, { userId: user.id, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, timeouts, now);
      assert.equal(await loadSession(db, token.slice(0, -2) + 'xx', timeouts, now), null);
      assert.equal(await loadSession(db, 'not-a-token', timeouts, now), null);
      assert.equal((await loadSession(db, token, timeouts, now))?.id, session.id);
      await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
      assert.equal(await loadSession(db, token, timeouts, now), null, 'a disabled user has no session');
      await db.updateTable('users').set({ status: 'active' }).where('id', '=', user.id).execute();
      assert.ok(await revokeAllSessions(db, user.id, now) >= 1);
      assert.equal(await loadSession(db, token, timeouts, now), null);
    });
  });
}
