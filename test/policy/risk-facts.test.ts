import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser } from '../../src/directory/users.ts';
import { writeSigninLog } from '../../src/monitor/signin-log.ts';
import { signInRisk, userRisk } from '../../src/policy/store/risk-facts.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { askAccess, type AccessAsk } from '../../src/policy/store/access-gate.ts';

const ask = async (db: Parameters<typeof askAccess>[0], input: Omit<AccessAsk, 'via' | 'authTime'>) => (await askAccess(db, { via: 'signin', authTime: null, ...input })).decision;
import type { Store } from '../../src/store/store.ts';

async function person(store: Store, username: string) {
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username });
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user;
  });
}

const admin = { actor: 'user:alice-admin' };

for (const engine of ENGINES) {
  test(`risk from the sign-in log on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const db = ts.store.db;
    const dana = await person(ts.store, 'dana');
    const erin = await person(ts.store, 'erin');
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

    await t.test('no history: no risk, and a first address is not "new"', async () => {
      assert.equal(await signInRisk(db, dana.id, '198.51.100.7'), 'none');
      assert.equal(await userRisk(db, dana.id), 'none');
    });

    await t.test('an address never used before by someone who signed in earlier is low risk', async () => {
      await writeSigninLog(db, { userId: dana.id, username: 'dana', ip: '198.51.100.7', result: 'success', reason: 'ok', at: hoursAgo(48) });
      assert.equal(await signInRisk(db, dana.id, '198.51.100.7'), 'none');
      assert.equal(await signInRisk(db, dana.id, '203.0.113.9'), 'low');
    });

    await t.test('failures from one address: spraying across accounts, or one account attacked', async () => {
      for (let i = 0; i < 5; i++) await writeSigninLog(db, { userId: erin.id, username: 'erin', ip: '203.0.113.50', result: 'failure', reason: 'bad_password' });
      assert.equal(await signInRisk(db, erin.id, '203.0.113.50'), 'medium', 'five failures of erin from this address');
      assert.equal(await signInRisk(db, dana.id, '203.0.113.50'), 'low', 'not dana\'s failures, and dana never used it');
      for (let i = 0; i < 5; i++) await writeSigninLog(db, { username: `ghost${i}`, ip: '203.0.113.50', result: 'failure', reason: 'unknown_user' });
      assert.equal(await signInRisk(db, dana.id, '203.0.113.50'), 'medium', 'ten failures from the address');
      for (let i = 0; i < 12; i++) await writeSigninLog(db, { username: `old${i}`, ip: '192.0.2.80', result: 'failure', reason: 'unknown_user', at: hoursAgo(2) });
      await writeSigninLog(db, { userId: dana.id, username: 'dana', ip: '192.0.2.80', result: 'success', reason: 'ok', at: hoursAgo(2) });
      assert.equal(await signInRisk(db, dana.id, '192.0.2.80'), 'none', 'failures older than an hour no longer count');
    });

    await t.test('second-factor failures raise user risk', async () => {
      for (let i = 0; i < 3; i++) await writeSigninLog(db, { userId: erin.id, username: 'erin', ip: '203.0.113.50', result: 'failure', reason: 'totp_invalid' });
      assert.equal(await userRisk(db, erin.id), 'medium');
    });

    await t.test('the sign-in gate reads risk once a policy has a risk condition, and applies it', async () => {
      const input = { userId: erin.id, clientId: null, ip: '203.0.113.50', methodsUsed: [{ method: 'password' }] };
      const before = await ask(db, input);
      assert.equal(before.outcome.kind, 'allow');
      await savePolicy(ts.store, {
        name: 'Block risky sign-ins', state: 'enabled',
        assignments: { users: { include: 'all' } },
        conditions: { signInRisk: ['medium', 'high'] }, grant: { block: true },
      }, admin, { confirmLockout: 'test: only risky sign-ins are refused' });
      const after = await ask(db, input);
      assert.equal(after.outcome.kind === 'block' && after.outcome.policy?.name, 'Block risky sign-ins');
      const calm = await ask(db, { ...input, userId: dana.id, ip: '198.51.100.7' });
      assert.equal(calm.outcome.kind, 'allow');
    });
  });
}
