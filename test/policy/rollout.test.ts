import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser } from '../../src/directory/users.ts';
import { addGroupMember, createGroup } from '../../src/directory/groups.ts';
import { applyTemplate, listStages, setStageEnforcement, stageCoverage } from '../../src/policy/store/rollout.ts';
import { campaignPrompt, snoozeCampaign } from '../../src/policy/store/campaign.ts';
import { askAccess, type AccessAsk } from '../../src/policy/store/access-gate.ts';

const ask = async (db: Parameters<typeof askAccess>[0], input: Omit<AccessAsk, 'via' | 'authTime'>) => (await askAccess(db, { via: 'signin', authTime: null, ...input })).decision;
import type { Store } from '../../src/store/store.ts';

async function person(store: Store, username: string, roles: string[] = [], totp = false) {
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username });
    const now = new Date().toISOString();
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash: 'x', created_at: now, updated_at: now }).execute();
    for (const role of roles) await trx.insertInto('role_assignments').values({ user_id: user.id, role, granted_at: now, granted_by: 'test' }).execute();
    if (totp) {
      await trx.insertInto('totp_credentials').values({
        id: `totp-${username}`, user_id: user.id, label: 'app', seed_sealed: 'sealed', digits: 6, period: 30, algorithm: 'SHA1',
        status: 'active', source: 'app', created_at: now, activated_at: now, last_used_at: null,
      } as never).execute();
    }
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user;
  });
}

const by = { actor: 'user:admin' };

for (const engine of ENGINES) {
  test(`staged roll-out and registration campaign on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const store = ts.store;
    await person(store, 'root', ['global_admin'], true);
    const pilot = await person(store, 'pat');
    const dept = await person(store, 'dora', [], true);
    await createGroup(store, { name: 'Pilot' }, by);
    await createGroup(store, { name: 'Sales' }, by);
    await addGroupMember(store, 'Pilot', 'pat', by);
    await addGroupMember(store, 'Sales', 'dora', by);
    const now = new Date();
    const day = 86_400_000;

    await t.test('the template creates admins, pilot and department stages in order', async () => {
      const stages = await applyTemplate(store, { pilotGroup: 'Pilot', departments: ['Sales'], start: new Date(now.getTime() + day).toISOString(), intervalDays: 7, snoozeLimit: 2 }, by);
      assert.deepEqual(stages.map((s) => s.name), ['Admins', 'Pilot', 'Sales']);
      assert.ok(stages[0]!.enforceAt < stages[1]!.enforceAt && stages[1]!.enforceAt < stages[2]!.enforceAt);
    });

    await t.test('coverage per stage: registered / total, by method and strength', async () => {
      const [admins, pilotStage, sales] = await listStages(store.db);
      const a = await stageCoverage(store.db, admins!);
      assert.equal(a.total, 1);
      assert.equal(a.registered, 1);
      assert.equal(a.byStrength.mfa, 1);
      const p = await stageCoverage(store.db, pilotStage!);
      assert.deepEqual([p.registered, p.total, p.byStrength.none], [0, 1, 1]);
      assert.equal(p.enforced, false);
      const s = await stageCoverage(store.db, sales!);
      assert.equal(s.byMethod.totp, 1);
    });

    await t.test("before its enforcement date a stage's policy only reports; after it, it enforces", async () => {
      const before = await ask(store.db, { userId: pilot.id, clientId: 'mail', ip: null, methodsUsed: ['password'], now });
      assert.equal(before.outcome.kind, 'allow');
      assert.deepEqual(before.reportOnly.map((r) => [r.name, r.wouldBe]), [['Roll-out: Pilot', 'unsatisfied']]);
      const later = new Date(now.getTime() + 9 * day);
      const after = await ask(store.db, { userId: pilot.id, clientId: 'mail', ip: null, methodsUsed: ['password'], now: later });
      assert.equal(after.outcome.kind, 'step_up');
      assert.deepEqual(after.outcome.kind === 'step_up' && after.outcome.missing.map((s) => s.id), ['mfa']);
    });

    await t.test('the campaign snoozes up to the limit, then registration is required', async () => {
      let prompt = await campaignPrompt(store.db, pilot.id);
      assert.ok(prompt);
      assert.equal(prompt.stageName, 'Pilot');
      assert.equal(prompt.method, 'totp');
      assert.deepEqual([prompt.snoozesLeft, prompt.required], [2, false]);
      assert.equal(await snoozeCampaign(store.db, pilot.id, prompt.stageId), true);
      prompt = (await campaignPrompt(store.db, pilot.id))!;
      assert.deepEqual([prompt.snoozesLeft, prompt.required], [1, false]);
      assert.equal(await snoozeCampaign(store.db, pilot.id, prompt.stageId), true);
      prompt = (await campaignPrompt(store.db, pilot.id))!;
      assert.deepEqual([prompt.snoozesLeft, prompt.required], [0, true]);
      assert.equal(await snoozeCampaign(store.db, pilot.id, prompt.stageId), false, 'no snooze left');
      // People who already registered the preferred method are not asked.
      assert.equal(await campaignPrompt(store.db, dept.id), null);
    });

    await t.test('moving the enforcement date moves the policy with it', async () => {
      const s = await setStageEnforcement(store, 'Pilot', new Date(now.getTime() - 1000).toISOString(), by);
      assert.ok(s.enforceAt < new Date().toISOString());
      const gate = await ask(store.db, { userId: pilot.id, clientId: 'mail', ip: null, methodsUsed: ['password'] });
      assert.equal(gate.outcome.kind, 'step_up');
    });
  });
}
