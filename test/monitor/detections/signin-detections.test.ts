import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { signInRisk, userRisk } from '../../../src/policy/store/risk-facts.ts';
import { alertsOf, freshStore, minutesAgo, person, scan, signin } from './support.ts';

/**
 * Each sign-in-log detection on a scripted sequence, written the way the
 * engine writes its rows, then one scan: the attack raises its alert and the
 * risk conditional access reads; the normal sequence beside it raises nothing.
 */
const LONDON = '81.2.69.142';
const KANSAS = '8.8.8.8';
const GERMANY = '5.9.0.1';

for (const engine of ENGINES) {
  test(`sign-in detections on ${engine}`, engineSkip(engine), async (t) => {
    await t.test('brute force on one account', async (t) => {
      const { store } = await freshStore(t, engine);
      const dana = await person(store, 'dana');
      const erin = await person(store, 'erin');
      for (let i = 0; i < 10; i++) await signin(store, dana, { ip: '203.0.113.7', result: 'failure', reason: 'bad_password', at: minutesAgo(10 - i) });
      // Normal: two typos, then in.
      await signin(store, erin, { ip: '198.51.100.1', result: 'failure', reason: 'bad_password', at: minutesAgo(3) });
      await signin(store, erin, { ip: '198.51.100.1', result: 'failure', reason: 'bad_password', at: minutesAgo(2) });
      await signin(store, erin, { ip: '198.51.100.1', result: 'success', reason: 'ok', at: minutesAgo(1) });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.username, a.severity]), [['signin.brute_force', 'dana', 'medium']]);
      assert.equal(r.alerts[0]!.details.failures, 10);
      assert.equal(await signInRisk(store.db, dana.id, '192.0.2.44'), 'medium', 'dana\'s sign-ins need more, from anywhere');
      assert.equal(await signInRisk(store.db, erin.id, '198.51.100.1'), 'none');
    });

    await t.test('a spray from one address, and one spread over many', async (t) => {
      const { store } = await freshStore(t, engine);
      const calm = await person(store, 'calm');
      await signin(store, calm, { ip: LONDON, result: 'success', reason: 'ok', at: minutesAgo(50) });
      for (let i = 0; i < 10; i++) await signin(store, `target${i}`, { ip: '203.0.113.9', result: 'failure', reason: 'unknown_user', at: minutesAgo(40 - i) });
      for (let i = 0; i < 30; i++) await signin(store, `spread${i}`, { ip: `198.51.100.${i % 12}`, result: 'failure', reason: 'unknown_user', at: minutesAgo(30 - i / 2) });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => a.kind).sort(), ['signin.distributed_spray', 'signin.password_spray']);
      assert.equal(await signInRisk(store.db, calm.id, '203.0.113.9'), 'high', 'any sign-in from the spraying address');
      assert.equal(await signInRisk(store.db, calm.id, '198.51.100.3'), 'medium', 'a sign-in from one of the spread-out addresses');
      assert.equal(await signInRisk(store.db, calm.id, LONDON), 'none');
    });

    await t.test('impossible travel and a new country', async (t) => {
      const { store } = await freshStore(t, engine);
      const ann = await person(store, 'ann');
      const bob = await person(store, 'bob');
      await signin(store, ann, { ip: LONDON, result: 'success', reason: 'ok', at: minutesAgo(90) });
      await signin(store, ann, { ip: KANSAS, result: 'success', reason: 'ok', at: minutesAgo(30) });
      // Normal: bob at home twice, then a train to Germany's neighbour... within the database's accuracy.
      await signin(store, bob, { ip: LONDON, result: 'success', reason: 'ok', at: minutesAgo(600) });
      await signin(store, bob, { ip: '81.2.69.160', result: 'success', reason: 'ok', at: minutesAgo(30) });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.username]).sort(), [['signin.impossible_travel', 'ann'], ['signin.new_country', 'ann']]);
      assert.equal(await userRisk(store.db, ann.id), 'medium');
      assert.equal(await userRisk(store.db, bob.id), 'none');
      await signin(store, bob, { ip: GERMANY, result: 'success', reason: 'ok', at: minutesAgo(1) });
      const next = await scan(store);
      assert.deepEqual(next.alerts.map((a) => [a.kind, a.username]), [['signin.new_country', 'bob']]);
      assert.equal(await signInRisk(store.db, bob.id, GERMANY), 'low');
    });

    await t.test('a busy account\'s older countries are remembered beyond its newest sign-ins', async (t) => {
      const { store } = await freshStore(t, engine);
      const kim = await person(store, 'kim');
      await signin(store, kim, { ip: GERMANY, result: 'success', reason: 'ok', at: minutesAgo(3000) });
      const rows = Array.from({ length: 250 }, (_, i) => ({
        id: `row-${String(i).padStart(4, '0')}`, at: minutesAgo(2500 - i * 5).toISOString(), user_id: kim.id, username: 'kim', client_id: null, ip: LONDON,
        user_agent: 'Firefox/128.0', methods_tried: '[]', methods_used: '[]', result: 'success' as const, reason: 'ok', transaction_id: null, report_only: null, strength: null,
      }));
      await store.db.insertInto('signin_log').values(rows).execute();
      await scan(store);
      await signin(store, kim, { ip: GERMANY, result: 'success', reason: 'ok', at: minutesAgo(2) });
      await signin(store, kim, { ip: '62.210.0.1', result: 'success', reason: 'ok', at: minutesAgo(1) });
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.details.country]), [['signin.new_country', 'FR']]);
    });

    await t.test('an app whose sign-ins mostly fail', async (t) => {
      const { store } = await freshStore(t, engine);
      const people = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((n) => person(store, n)));
      for (let i = 0; i < 20; i++) {
        const failed = i % 4 !== 0;
        await signin(store, people[i % 4]!, { clientId: 'payroll', ip: LONDON, result: failed ? 'failure' : 'success', reason: failed ? 'policy_blocked' : 'ok', at: minutesAgo(10 - i / 4) });
        await signin(store, people[i % 4]!, { clientId: 'wiki', ip: LONDON, result: 'success', reason: 'ok', at: minutesAgo(10 - i / 4) });
      }
      const r = await scan(store);
      assert.deepEqual(r.alerts.map((a) => [a.kind, a.details.clientId]), [['app.failure_rate', 'payroll']]);
    });
  });
}
