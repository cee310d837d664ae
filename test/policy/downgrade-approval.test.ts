import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from '../foundation/support.ts';
import { addPerson } from '../recovery/support.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { insertUser } from '../../src/directory/users.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { evaluatePolicies } from '../../src/policy/evaluate.ts';
import { DEFAULT_POLICY_IDS } from '../../src/policy/defaults.ts';
import { deletePolicy, getPolicy, listPolicies, loadPolicySet, savePolicy, setPolicyState } from '../../src/policy/store/policies.ts';
import { DowngradeNeedsApprovalError } from '../../src/policy/store/downgrade-gate.ts';
import { listDowngrades, rejectDowngrade, requestDowngrade } from '../../src/policy/store/downgrades.ts';
import { approveDowngradeWithAlert } from '../../src/monitor/policy-downgrades.ts';
import { listAlerts } from '../../src/monitor/alerts.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { addGroupMember, createGroup } from '../../src/directory/groups.ts';
import { addStage, listStages, removeStage, setStageEnforcement } from '../../src/policy/store/rollout.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const REGISTERED = 'Require MFA for users with a second factor';
const alice = { actor: 'user:alice-admin' };
const bob = { actor: 'user:bob-admin' };

/** carol has password + TOTP: the built-in policy for people with a second factor asks her for it. */
async function carolWithTotp(store: Store): Promise<string> {
  const id = await auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username: 'carol' });
    const now = new Date().toISOString();
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash: 'x', created_at: now, updated_at: now }).execute();
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user.id;
  });
  await importTotp({ store, secrets: new SecretBox(randomBytes(32)) }, id, { secretBase32: SECRET, actor: 'test' });
  return id;
}

const carolWithPasswordAlone = async (store: Store) => evaluatePolicies(await loadPolicySet(store.db), {
  now: new Date(), user: { id: 'carol', username: 'carol', kind: 'person', groups: [], roles: [], registeredMethods: ['password', 'totp'] },
  app: 'mail', ip: null, country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none', methodsUsed: ['password'],
}).outcome;

for (const engine of ENGINES) {
  test(`a downgrade needs a second administrator on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const store = ts.store;
    await carolWithTotp(store);

    await t.test('disabling or deleting the built-in MFA policy is refused on one administrator\'s say, naming who loses what', async () => {
      for (const attempt of [() => setPolicyState(store, REGISTERED, 'disabled', alice), () => setPolicyState(store, REGISTERED, 'reportOnly', alice), () => deletePolicy(store, REGISTERED, alice)]) {
        await assert.rejects(attempt(), (err: unknown) => {
          assert.ok(err instanceof DowngradeNeedsApprovalError, String(err));
          assert.match(err.message, /lowers what 1 person must reach \(carol, .*needed MFA, would need only a password/);
          assert.match(err.message, /second administrator/);
          assert.deepEqual(err.report.people, ['carol']);
          return true;
        });
      }
      assert.equal((await getPolicy(store.db, REGISTERED)).state, 'enabled');
      assert.equal(await carolWithPasswordAlone(store), 'challenge');
      // Raising requirements needs nobody else, and asking approval for it is refused.
      await savePolicy(store, { name: 'Mail needs MFA', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { strength: 'mfa' } }, alice);
      await assert.rejects(requestDowngrade(store, { change: { kind: 'state', policy: 'Mail needs MFA', state: 'enabled' }, reason: 'nothing lowered here' }, alice), /lowers nothing/);
    });

    await t.test('requested with a reason, approved by another administrator: applied, audited and alerted', async () => {
      // Deleting mail's own MFA policy lowers nothing (the built-in policy still asks carol): no second person needed.
      await deletePolicy(store, 'Mail needs MFA', alice);
      const req = await requestDowngrade(store, { change: { kind: 'state', policy: REGISTERED, state: 'disabled' }, reason: 'second factor roll-back for the migration week' }, alice);
      assert.equal(req.status, 'pending');
      assert.equal(req.summary, `set policy ${REGISTERED} to disabled`);
      assert.deepEqual(req.report.people, ['carol']);
      assert.equal((await getPolicy(store.db, REGISTERED)).state, 'enabled', 'nothing changes while it waits');
      await assert.rejects(approveDowngradeWithAlert(store, req.id, alice), /approver other than the person who requested it/);
      const done = await approveDowngradeWithAlert(store, req.id, bob);
      assert.equal(done.status, 'applied');
      assert.equal(done.decidedBy, bob.actor);
      assert.equal((await getPolicy(store.db, REGISTERED)).state, 'disabled');
      assert.equal(await carolWithPasswordAlone(store), 'allow');
      await assert.rejects(approveDowngradeWithAlert(store, req.id, bob), /is applied/);
      const alerts = (await listAlerts(store.db, {})).filter((a) => a.kind === 'policy.downgrade');
      assert.ok(alerts.length >= 1);
      const alert = alerts.find((a) => a.details.requestId === req.id)!;
      assert.equal(alert.severity, 'high');
      assert.deepEqual([alert.details.requestedBy, alert.details.approvedBy, alert.details.people], [alice.actor, bob.actor, 1]);
      const entries = await store.db.selectFrom('audit_log').select(['actor', 'action', 'after_json']).where('action', 'in', ['policy.state', 'policy.downgrade.request', 'policy.downgrade.approve']).orderBy('seq').execute();
      assert.deepEqual(entries.slice(-3).map((e) => [e.action, e.actor]), [['policy.downgrade.request', alice.actor], ['policy.state', bob.actor], ['policy.downgrade.approve', bob.actor]]);
      assert.match(entries.at(-2)!.after_json!, new RegExp(`"requestId":"${req.id}"`));
    });

    await t.test('rejected or expired requests cannot be approved; deleting the admins\' built-in policy goes the same way', async () => {
      await setPolicyState(store, REGISTERED, 'enabled', alice);
      const newAdmin = await auditedChange(store, async (trx, record) => {
        const user = await insertUser(trx, { username: 'newadmin' });
        await trx.insertInto('role_assignments').values({ user_id: user.id, role: 'helpdesk', granted_at: new Date().toISOString(), granted_by: 'test' }).execute();
        await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
        return user;
      });
      await assert.rejects(deletePolicy(store, DEFAULT_POLICY_IDS.adminsMfa, alice), /newadmin/);
      const r1 = await requestDowngrade(store, { change: { kind: 'delete', policy: DEFAULT_POLICY_IDS.adminsMfa }, reason: 'replaced by a stricter policy soon' }, alice);
      await rejectDowngrade(store, r1.id, bob);
      await assert.rejects(approveDowngradeWithAlert(store, r1.id, bob), /is rejected/);
      const r2 = await requestDowngrade(store, { change: { kind: 'delete', policy: DEFAULT_POLICY_IDS.adminsMfa }, reason: 'replaced by a stricter policy soon' }, alice);
      await assert.rejects(approveDowngradeWithAlert(store, r2.id, bob, new Date(Date.now() + 8 * 86_400_000)), /is expired/);
      assert.ok((await listPolicies(store.db)).some((p) => p.id === DEFAULT_POLICY_IDS.adminsMfa));
      assert.deepEqual((await listDowngrades(store.db)).map((d) => d.id), [r2.id]);
      await approveDowngradeWithAlert(store, r2.id, bob);
      assert.ok(!(await listPolicies(store.db)).some((p) => p.id === DEFAULT_POLICY_IDS.adminsMfa));
      assert.ok(newAdmin);
    });
  });

  test(`an enforced roll-out stage is taken back only as an approved downgrade on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const store = ts.store;
    const dave = await auditedChange(store, async (trx, record) => {
      const user = await insertUser(trx, { username: 'dave' });
      await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
      return user;
    });
    await createGroup(store, { name: 'Pilot' }, alice);
    await addGroupMember(store, 'Pilot', dave.id, alice);
    await addStage(store, { name: 'Pilot', groups: ['Pilot'], strength: 'mfa', enforceAt: new Date(Date.now() - 86_400_000).toISOString() }, alice);
    await assert.rejects(removeStage(store, 'Pilot', alice), /dave, .*needed MFA, would need only a password/);
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await assert.rejects(setStageEnforcement(store, 'Pilot', later, alice), DowngradeNeedsApprovalError);
    const req = await requestDowngrade(store, { change: { kind: 'remove_stage', stage: 'Pilot' }, reason: 'the pilot ends, the department stage follows' }, alice);
    assert.equal(req.summary, 'remove roll-out stage Pilot');
    await approveDowngradeWithAlert(store, req.id, bob);
    assert.deepEqual((await listStages(store.db)).map((x) => x.name), []);
  });

  test(`downgrades through the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    await carolWithTotp(s.ctx.store);
    // Two administrators, each through the token they own: an approval is a person's.
    await addPerson(s.ctx, 'ada', ['security_admin']);
    await addPerson(s.ctx, 'gina', ['global_admin']);
    const admin1 = await s.token('security_admin', 'ada');
    const admin2 = await s.token('global_admin', 'gina');
    const auditor = await s.token('auditor');
    const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;
    const del = await s.call('DELETE', `/api/admin/policies/${DEFAULT_POLICY_IDS.registeredMfa}`, { token: admin1 });
    assert.equal(del.statusCode, 409);
    assert.match(json<{ message: string }>(del).message, /carol.*second administrator/);
    const change = { kind: 'delete', policy: DEFAULT_POLICY_IDS.registeredMfa };
    const preview = await s.call('POST', '/api/admin/policy-downgrades/preview', { token: admin1, body: { change } });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.deepEqual(json<{ people: string[] }>(preview).people, ['carol']);
    assert.equal((await s.call('POST', '/api/admin/policy-downgrades', { token: auditor, body: { change, reason: 'testing the four eyes' } })).statusCode, 403);
    assert.equal((await s.call('POST', '/api/admin/policy-downgrades', { token: admin1, body: { change, reason: 'short' } })).statusCode, 400);
    const created = await s.call('POST', '/api/admin/policy-downgrades', { token: admin1, body: { change, reason: 'testing the four eyes' } });
    assert.equal(created.statusCode, 201, created.body);
    const id = json<{ id: string }>(created).id;
    const listed = json<{ items: Array<{ id: string; status: string }> }>(await s.call('GET', '/api/admin/policy-downgrades', { token: auditor }));
    assert.deepEqual(listed.items.map((d) => [d.id, d.status]), [[id, 'pending']]);
    const self = await s.call('POST', `/api/admin/policy-downgrades/${id}/approve`, { token: admin1 });
    assert.equal(self.statusCode, 409);
    assert.equal((await s.call('POST', '/api/admin/policy-downgrades/nope/approve', { token: admin2 })).statusCode, 404);
    const ok = await s.call('POST', `/api/admin/policy-downgrades/${id}/approve`, { token: admin2 });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(json<{ status: string }>(ok).status, 'applied');
    assert.equal((await s.call('GET', `/api/admin/policies/${DEFAULT_POLICY_IDS.registeredMfa}`, { token: admin2 })).statusCode, 404);
    const alerts = json<{ items: Array<{ kind: string }> }>(await s.call('GET', '/api/admin/alerts', { token: auditor }));
    assert.ok(alerts.items.some((a) => a.kind === 'policy.downgrade'));
    const spec = json<{ paths: Record<string, unknown> }>(await s.call('GET', '/api/openapi.json'));
    for (const path of ['/api/admin/policy-downgrades', '/api/admin/policy-downgrades/{id}/approve', '/api/admin/policy-downgrades/preview']) assert.ok(spec.paths[path], path);
  });
}

test('tessera downgrade', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-downgrade-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const cli = (args: string[]) => runCli(args, env);
    await cli(['migrate']);
    const store = await openStore(db.database);
    try {
      await carolWithTotp(store);
    } finally {
      await store.close();
    }
    const direct = await cli(['policy', 'set-state', REGISTERED, 'disabled']);
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /^tessera: this change lowers what 1 person must reach .*tessera downgrade request/);
    const preview = await cli(['downgrade', 'preview', 'set-state', REGISTERED, 'disabled']);
    assert.match(preview.stdout, /1 would need less than now\n {2}carol, /);
    assert.equal((await cli(['downgrade', 'request', 'set-state', REGISTERED, 'disabled'])).code, 2, 'a reason is required');
    const req = await cli(['downgrade', 'request', 'set-state', REGISTERED, 'disabled', '--reason', 'migration week, agreed with security', '--json']);
    assert.equal(req.code, 0, req.stderr);
    const id = (JSON.parse(req.stdout) as { id: string }).id;
    const self = await cli(['downgrade', 'approve', id]);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /approver other than the person who requested it/);
    assert.match((await cli(['downgrade', 'list'])).stdout, new RegExp(`${id}.*pending`));
    assert.match((await cli(['downgrade', 'show', id])).stdout, /reason: migration week/);
    assert.match((await cli(['downgrade', 'reject', id])).stdout, /is now rejected/);
  })));
});
