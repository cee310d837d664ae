import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { openStore } from '../../../src/store/store.ts';
import { grantRole } from '../../../src/directory/role-grants.ts';
import { deleteUser } from '../../../src/directory/users.ts';
import { acknowledgeAlert } from '../../../src/monitor/alerts.ts';
import { scanOnce } from '../../../src/monitor/detections/scanner.ts';
import { updateDetectionSettings, loadDetectionSettings } from '../../../src/monitor/detections/settings.ts';
import { savePolicy } from '../../../src/policy/store/policies.ts';
import { askAccess } from '../../../src/policy/store/access-gate.ts';
import { alertsOf, freshStore, later, minutesAgo, person, scan, scanContext, signin } from './support.ts';

/**
 * Several nodes, one store: every node scans, each finding is raised once.
 * And what a detection's risk does: a conditional-access policy with a risk
 * condition sees it, until the alert is acknowledged.
 */
for (const engine of ENGINES) {
  test(`detections across nodes, and the risk they feed on ${engine}`, engineSkip(engine), async (t) => {
    await t.test('two nodes scanning at once raise each alert once; a later scan raises nothing again', async (t) => {
      const ts = await freshStore(t, engine);
      const other = await openStore(ts.database);
      t.after(() => other.close());
      const dana = await person(ts.store, 'dana');
      for (let i = 0; i < 12; i++) await signin(ts.store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(12 - i) });
      const when = later();
      const [a, b] = await Promise.all([scanOnce(scanContext(ts.store), 'node:a', when), scanOnce(scanContext(other), 'node:b', when)]);
      assert.deepEqual([a.skipped, b.skipped].sort(), ['lease', null], 'one node holds the lease');
      // The lease ran out (a node died mid-scan): the other takes over from the stored cursor.
      const takeover = new Date(when.getTime() + 61_000);
      const c = await scanOnce(scanContext(other), 'node:b', takeover);
      assert.equal(c.skipped, null);
      assert.deepEqual((await alertsOf(ts.store)).map((x) => x.kind), ['signin.brute_force']);
      // More failures within the dedupe window: still one alert.
      await signin(ts.store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password' });
      await scanOnce(scanContext(other), 'node:b', new Date(takeover.getTime() + 1000));
      assert.equal((await alertsOf(ts.store, 'signin.brute_force')).length, 1);
    });

    await t.test('the same rows scanned again (a node that read the old cursor) raise nothing twice: the dedupe keys hold', async (t) => {
      const ts = await freshStore(t, engine);
      const dana = await person(ts.store, 'dana');
      const ann = await person(ts.store, 'ann');
      for (let i = 0; i < 10; i++) await signin(ts.store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(10 - i) });
      await grantRole(ts.store, ann.id, 'global_admin', { actor: 'user:boss' });
      const start = await ts.store.db.selectFrom('detection_state').select(['signin_at', 'signin_id', 'audit_seq']).executeTakeFirstOrThrow();
      const first = await scanOnce(scanContext(ts.store), 'node:a', later());
      assert.deepEqual(first.alerts.map((a) => a.kind).sort(), ['role.admin_granted', 'signin.brute_force']);
      await ts.store.db.updateTable('detection_state').set({ ...start, lease_holder: null, lease_expires_at: null }).execute();
      const again = await scanOnce(scanContext(ts.store), 'node:b', later());
      assert.equal(again.signins, 10, 'the rows were read again');
      assert.deepEqual(again.alerts, []);
      assert.equal((await alertsOf(ts.store)).length, 2);
      assert.equal((await ts.store.db.selectFrom('risk_signals').select('id').execute()).length, 1);
    });

    await t.test('without its state row the scanner starts again from now instead of stalling', async (t) => {
      const { store } = await freshStore(t, engine);
      const dana = await person(store, 'dana');
      for (let i = 0; i < 10; i++) await signin(store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(10 - i) });
      await store.db.deleteFrom('detection_state').execute();
      const r = await scan(store);
      assert.equal(r.skipped, null);
      assert.deepEqual(r.alerts, [], 'what came before is not replayed');
      assert.equal((await store.db.selectFrom('detection_state').select('name').execute()).length, 1);
    });

    await t.test('an account deleted before the scan: its alert is raised, no risk is kept, and the scan goes on', async (t) => {
      const { store } = await freshStore(t, engine);
      const dana = await person(store, 'dana');
      for (let i = 0; i < 10; i++) await signin(store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(10 - i) });
      await deleteUser(store, dana.id, { actor: 'user:sec' });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.details.riskNotRaised]), [['signin.brute_force', 'the account no longer exists']]);
    });

    await t.test('thresholds are settings: changed (audited), the same sequence is judged by the new ones', async (t) => {
      const { store } = await freshStore(t, engine);
      const s = await updateDetectionSettings(store, { bruteForce: { failures: 20, windowMinutes: 15 } }, { actor: 'user:sec' });
      assert.equal(s.bruteForce.failures, 20);
      assert.equal((await loadDetectionSettings(store.db)).sprayFromAddress.accounts, 10, 'the rest keep their defaults');
      const dana = await person(store, 'dana');
      for (let i = 0; i < 12; i++) await signin(store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(12 - i) });
      assert.deepEqual((await scan(store)).alerts, []);
      const entry = await store.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'detection.settings').executeTakeFirst();
      assert.deepEqual({ ...entry }, { actor: 'user:sec', action: 'detection.settings' });
      await assert.rejects(updateDetectionSettings(store, { bruteForce: { failures: 0, windowMinutes: 15 } }, { actor: 'user:sec' }));
    });

    await t.test('a policy on user risk sees a detection\'s risk, until the alert is acknowledged', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      await savePolicy(store, {
        name: 'Block risky people', state: 'enabled', assignments: { users: { include: 'all' } },
        conditions: { userRisk: ['medium', 'high'] }, grant: { block: true },
      }, { actor: 'user:sec' }, { confirmLockout: 'test: only risky people are refused' });
      const ask = async () => (await askAccess(store.db, { via: 'signin', authTime: null, userId: ann.id, clientId: null, ip: '81.2.69.142', methodsUsed: [{ method: 'password' }] })).decision.outcome.kind;
      await signin(store, ann, { ip: '81.2.69.142', result: 'success', reason: 'ok', at: minutesAgo(90) });
      assert.equal(await ask(), 'allow');
      await signin(store, ann, { ip: '8.8.8.8', result: 'success', reason: 'ok', at: minutesAgo(30) });
      const r = await scan(store);
      const travel = r.alerts.find((a) => a.kind === 'signin.impossible_travel');
      assert.ok(travel);
      assert.equal(await ask(), 'block');
      await acknowledgeAlert(store, travel.id, { actor: 'user:sec' }, 'ann was on a VPN');
      assert.equal(await ask(), 'allow', 'acknowledged: the risk it raised has ended');
      const audit = await store.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'risk.raise').execute();
      assert.ok(audit.some((e) => e.target === `user:${ann.id}`));
    });
  });
}
