import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser } from '../../src/directory/users.ts';
import { createGroup, addGroupMember } from '../../src/directory/groups.ts';
import { evaluatePolicies } from '../../src/policy/evaluate.ts';
import { DEFAULT_POLICY_IDS } from '../../src/policy/defaults.ts';
import { getPolicy, listPolicies, loadPolicySet, savePolicy, setPolicyState, deletePolicy } from '../../src/policy/store/policies.ts';
import { exportBundle, importBundle, saveNamedLocation } from '../../src/policy/store/bundle.ts';
import { LockoutRefusedError, runLockoutCheck } from '../../src/policy/store/lockout-gate.ts';
import { DowngradeNeedsApprovalError } from '../../src/policy/store/downgrade-gate.ts';
import { approveException, listExceptions, requestException, revokeException } from '../../src/policy/store/exceptions.ts';
import { updatePolicySettings } from '../../src/policy/store/settings.ts';
import type { Store } from '../../src/store/store.ts';
import type { SigninFacts } from '../../src/policy/model.ts';

async function person(store: Store, username: string, kind: 'person' | 'break_glass' = 'person', roles: string[] = []) {
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username, kind });
    const now = new Date().toISOString();
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash: 'x', created_at: now, updated_at: now }).execute();
    for (const role of roles) await trx.insertInto('role_assignments').values({ user_id: user.id, role, granted_at: now, granted_by: 'test' }).execute();
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user;
  });
}

const facts = (username: string, over: Partial<SigninFacts> = {}): SigninFacts => ({
  now: new Date(), user: { id: username, username, kind: 'person', groups: [], roles: [], registeredMethods: ['password'] },
  app: 'mail', ip: null, country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none', methodsUsed: ['password'], ...over,
});

const alice = { actor: 'user:alice-admin' };
const bob = { actor: 'user:bob-admin' };

for (const engine of ENGINES) {
  test(`policies in the store on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const store = ts.store;

    await t.test('a fresh install has the two default policies', async () => {
      const ps = await listPolicies(store.db);
      assert.deepEqual(ps.map((p) => p.id).sort(), Object.values(DEFAULT_POLICY_IDS).sort());
      assert.ok(ps.every((p) => p.state === 'enabled' && p.origin === 'default'));
    });

    await person(store, 'root', 'person', ['global_admin']);
    await person(store, 'glass', 'break_glass');
    await person(store, 'carol');
    await createGroup(store, { name: 'Pilot' }, alice);
    await addGroupMember(store, 'Pilot', 'carol', alice);

    await t.test('a policy that would strand a break-glass account is refused, whatever the confirmation', async () => {
      const doc = { name: 'Block everyone', state: 'enabled' as const, assignments: { users: { include: 'all' as const } }, grant: { block: true as const } };
      await assert.rejects(savePolicy(store, doc, alice, { confirmLockout: 'I really mean it' }), (err: unknown) => {
        assert.ok(err instanceof LockoutRefusedError);
        assert.match(err.message, /break-glass account glass/);
        assert.equal(err.needsConfirmation, false);
        return true;
      });
      assert.equal((await listPolicies(store.db)).length, 2, 'nothing changed');
    });

    await t.test('a policy that strands others needs a confirmation with a reason, which is audited', async () => {
      const doc = { name: 'Block Pilot', state: 'enabled' as const, assignments: { groups: { include: ['Pilot'] } }, grant: { block: true as const } };
      await assert.rejects(savePolicy(store, doc, alice), (err: unknown) => err instanceof LockoutRefusedError && err.needsConfirmation && /carol/.test(err.message));
      const saved = await savePolicy(store, doc, alice, { confirmLockout: 'pilot paused for a week' });
      assert.equal(saved.value.name, 'Block Pilot');
      assert.deepEqual(saved.lockout.findings.map((f) => f.username), ['carol']);
      const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'policy.create').execute();
      assert.match(audit.at(-1)!.after_json!, /pilot paused for a week/);
      await deletePolicy(store, 'Block Pilot', alice);
    });

    await t.test('references are checked: an unknown group or location is refused', async () => {
      await assert.rejects(savePolicy(store, { name: 'x', assignments: { groups: { include: ['Nope'] } }, grant: { strength: 'mfa' } }, alice), /no group Nope/);
      await assert.rejects(savePolicy(store, { name: 'y', assignments: { users: { include: 'all' } }, conditions: { locations: { include: ['Mars'] } }, grant: { strength: 'mfa' } }, alice), /no named location Mars/);
      await assert.rejects(savePolicy(store, { name: 'z', assignments: { users: { include: 'all' } }, grant: { strength: 'unheard_of' } }, alice), /no authentication strength/);
    });

    await t.test('set-state and the lockout gate', async () => {
      // Report-only would let root in with a password alone: a downgrade, which takes a second administrator.
      await assert.rejects(setPolicyState(store, DEFAULT_POLICY_IDS.adminsMfa, 'reportOnly', alice), DowngradeNeedsApprovalError);
      await setPolicyState(store, 'Require MFA for admins', 'enabled', alice);
      assert.equal((await getPolicy(store.db, DEFAULT_POLICY_IDS.adminsMfa)).state, 'enabled');
    });

    await t.test('exceptions: end date, reason, another approver, and they expire by themselves', async () => {
      const mfa = await savePolicy(store, { name: 'MFA for Pilot', state: 'enabled', assignments: { groups: { include: ['Pilot'] } }, grant: { strength: 'mfa' } }, alice);
      const now = new Date();
      const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
      await assert.rejects(requestException(store, { policy: 'MFA for Pilot', user: 'carol', endsAt: inDays(45), reason: 'travelling without phone' }, alice), /at most 30 days/);
      await assert.rejects(requestException(store, { policy: 'MFA for Pilot', user: 'carol', endsAt: inDays(5), reason: 'short' }, alice), /10 characters/);
      const ex = await requestException(store, { policy: 'MFA for Pilot', user: 'carol', endsAt: inDays(5), reason: 'phone lost, new one arrives Friday' }, alice);
      assert.equal(ex.effective, 'pending');
      let set = await loadPolicySet(store.db);
      assert.equal(evaluatePolicies(set, facts('carol', { user: { ...facts('carol').user, groups: ['Pilot'] } })).outcome, 'challenge', 'pending does not apply');
      await assert.rejects(approveException(store, ex.id, alice), /approver other than/);
      const approved = await approveException(store, ex.id, bob);
      assert.equal(approved.effective, 'active');
      set = await loadPolicySet(store.db);
      const carol = facts('carol', { user: { ...facts('carol').user, groups: ['Pilot'] } });
      const d = evaluatePolicies(set, carol);
      assert.equal(d.outcome, 'allow');
      assert.equal(d.policies.find((p) => p.policyId === mfa.value.id)!.reason, 'excepted');
      // The minute after its end date it no longer applies, without anybody doing anything.
      const after = new Date(Date.parse(approved.endsAt) + 60_000);
      assert.equal(evaluatePolicies(await loadPolicySet(store.db, after), { ...carol, now: after }).outcome, 'challenge');
      assert.deepEqual((await listExceptions(store.db, { status: 'active' })).map((e) => e.id), [ex.id]);
      assert.deepEqual((await listExceptions(store.db, { status: 'expiring' })).map((e) => e.id), [ex.id], 'ends within 7 days');
      await updatePolicySettings(store, { exceptionMaxDays: 90 }, alice);
      await assert.rejects(updatePolicySettings(store, { exceptionMaxDays: 120 }, alice));
      const long = await requestException(store, { policy: 'MFA for Pilot', group: 'Pilot', endsAt: inDays(80), reason: 'department move, re-enrolment' }, alice);
      await revokeException(store, long.id, alice);
      assert.deepEqual((await listExceptions(store.db, { status: 'pending' })).length, 0);
    });

    await t.test('export and import round-trip; import checks before it changes anything', async () => {
      await saveNamedLocation(store, { name: 'Office', ipRanges: ['203.0.113.0/24'] }, alice);
      const bundle = await exportBundle(store.db);
      assert.ok(bundle.policies.length >= 3);
      const again = await importBundle(store, JSON.parse(JSON.stringify(bundle)), alice);
      assert.equal(again.value.created.length, 0);
      const bad = { policies: [{ name: 'Block all', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { block: true } }] };
      await assert.rejects(importBundle(store, bad, alice), LockoutRefusedError);
      await assert.rejects(importBundle(store, { policies: [{ name: 'x', grant: { block: 'yes' } }] }, alice));
      const withNew = { namedLocations: [{ name: 'Branch', ipRanges: ['198.51.100.0/24'] }], policies: [{ name: 'Branch MFA', state: 'reportOnly', assignments: { users: { include: 'all' } }, conditions: { locations: { include: ['Branch'] } }, grant: { strength: 'mfa' } }] };
      const imported = await importBundle(store, withNew, alice);
      assert.deepEqual(imported.value.created, ['Branch MFA']);
    });

    await t.test('the on-demand lockout check reports nobody stranded by the defaults', async () => {
      const report = await store.serialized('test', async (trx) => runLockoutCheck(trx, await loadPolicySet(trx)));
      assert.equal(report.checkedUsers, 3);
      assert.deepEqual(report.strandedUsers, []);
    });
  });
}
