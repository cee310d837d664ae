import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { SecretBox } from '../../../src/config/secret-box.ts';
import { grantRole } from '../../../src/directory/role-grants.ts';
import { importTotp } from '../../../src/methods/totp/manage.ts';
import { checkPushBombing } from '../../../src/methods/push/defence.ts';
import { pushSettingsSchema } from '../../../src/methods/push/settings.ts';
import { pushRecorder } from '../../../src/monitor/push-events.ts';
import { acknowledgeAlert } from '../../../src/monitor/alerts.ts';
import { userRisk } from '../../../src/policy/store/risk-facts.ts';
import { issueReportLink, useReportLink } from '../../../src/monitor/notify/links.ts';
import { alertsOf, freshStore, minutesAgo, person, scan, signin } from './support.ts';

/**
 * The detections of single events (audit entries, a sign-in after a report)
 * and the two raised where they happen (push bombing as MFA fatigue, by the
 * push method): each fires on its scripted sequence and not on a normal one,
 * and the scanner never raises an inline one again.
 */
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

for (const engine of ENGINES) {
  test(`event detections on ${engine}`, engineSkip(engine), async (t) => {
    await t.test('an administrative role granted; a read-only one is not news', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      await grantRole(store, ann.id, 'auditor', { actor: 'user:boss' });
      assert.deepEqual((await scan(store)).alerts, []);
      await grantRole(store, ann.id, 'security_admin', { actor: 'user:boss' });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.username, a.details.role, a.details.grantedBy]), [['role.admin_granted', 'ann', 'security_admin', 'user:boss']]);
    });

    await t.test('a method added within the hour of a risky sign-in; after a calm one, nothing', async (t) => {
      const { store } = await freshStore(t, engine);
      const ctx = { store, secrets: new SecretBox(randomBytes(32)) };
      const calm = await person(store, 'calm');
      const risky = await person(store, 'risky');
      await signin(store, calm, { ip: '198.51.100.20', result: 'success', reason: 'ok', at: minutesAgo(30) });
      await importTotp(ctx, calm.id, { secretBase32: SEED, actor: `user:${calm.id}` });
      // Five wrong passwords from one address, then the right one from there: a medium-risk sign-in.
      for (let i = 0; i < 5; i++) await signin(store, risky, { ip: '203.0.113.66', result: 'failure', reason: 'bad_password', at: minutesAgo(20 - i) });
      await signin(store, risky, { ip: '203.0.113.66', result: 'success', reason: 'ok', at: minutesAgo(10) });
      await importTotp(ctx, risky.id, { secretBase32: SEED, actor: `user:${risky.id}` });
      const r = await scan(store);
      const found = r.alerts.filter((a) => a.kind === 'method.added_after_risky_signin');
      assert.deepEqual(found.map((a) => [a.username, a.details.method]), [['risky', 'totp']]);
      assert.equal(await userRisk(store.db, risky.id), 'high');
      assert.equal(await userRisk(store.db, calm.id), 'none');
    });

    await t.test('a sign-in after a "this wasn\'t me" report', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      const bob = await person(store, 'bob');
      const link = await issueReportLink(store.db, { kind: 'password_changed', key: `test:${randomUUID()}`, userId: ann.id, at: minutesAgo(30).toISOString() }, 72);
      await store.db.transaction().execute((trx) => useReportLink(trx, link!.id, minutesAgo(20)));
      await signin(store, ann, { ip: '198.51.100.9', result: 'success', reason: 'ok', at: minutesAgo(5) });
      await signin(store, bob, { ip: '198.51.100.9', result: 'success', reason: 'ok', at: minutesAgo(5) });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.username, a.details.reportedBy]), [['signin.after_report', 'ann', 'link']]);
    });

    await t.test('a push denied with "this wasn\'t me" raises the person\'s user risk (its alert is the push method\'s own), until the alert is acknowledged', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      const at = minutesAgo(2);
      // What denyPush records through its recorder, in its transaction.
      await store.db.transaction().execute(async (trx) => {
        await pushRecorder.attempt(trx, { userId: ann.id, username: 'ann', ip: '198.51.100.5', transactionId: null, result: 'failure', reason: 'push_reported_not_me', at });
        await pushRecorder.alert(trx, { kind: 'push.reported', userId: ann.id, username: 'ann', details: {}, at });
      });
      assert.equal(await userRisk(store.db, ann.id), 'none', 'one refused push alone is not a risk in the log');
      assert.deepEqual((await scan(store)).alerts, []);
      assert.equal(await userRisk(store.db, ann.id), 'high');
      const [alert] = await alertsOf(store, 'push.reported');
      await acknowledgeAlert(store, alert!.id, { actor: 'user:sec' }, 'ann tapped the wrong button');
      assert.equal(await userRisk(store.db, ann.id), 'none');
    });

    await t.test('MFA fatigue is the push method\'s own alert (push.bombing), raised once; the scanner adds none', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      const bob = await person(store, 'bob');
      const push = (userId: string, status: 'denied' | 'approved', m: number) => store.db.insertInto('push_requests').values({
        id: randomUUID(), user_id: userId, transaction_id: null, number: '42', nonce: randomUUID(), app_name: null, ip: '198.51.100.5', location: 'unknown',
        status, credential_id: null, created_at: minutesAgo(m).toISOString(), expires_at: minutesAgo(m - 1).toISOString(), answered_at: minutesAgo(m).toISOString(),
      }).execute();
      const settings = pushSettingsSchema.parse({});
      for (let i = 0; i < 3; i++) {
        await push(ann.id, 'denied', 5 - i);
        await signin(store, ann, { ip: '198.51.100.5', methodsTried: ['push'], result: 'failure', reason: 'push_denied', at: minutesAgo(5 - i) });
        await checkPushBombing(store.db, ann.id, settings, pushRecorder, { username: 'ann', ip: '198.51.100.5' });
      }
      // Normal: one denial (a mis-tap), then an approval.
      await push(bob.id, 'denied', 4);
      await push(bob.id, 'approved', 3);
      await checkPushBombing(store.db, bob.id, settings, pushRecorder, { username: 'bob', ip: '198.51.100.5' });
      assert.deepEqual((await alertsOf(store)).map((a) => [a.kind, a.username]), [['push.bombing', 'ann']]);
      assert.equal(await userRisk(store.db, ann.id), 'medium', 'the suspension is a lock in the sign-in log');
      assert.equal(await userRisk(store.db, bob.id), 'none');
      assert.deepEqual((await scan(store)).alerts, []);
    });
  });
}
