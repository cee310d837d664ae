import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { addPerson, recoveryContext } from './support.ts';
import { cancelCase, getCase, listCases, openCase, recordStep } from '../../src/recovery/cases/index.ts';
import { approveTap, listTaps } from '../../src/recovery/tap/index.ts';

const by = { actor: 'test:helpdesk' };

for (const engine of ENGINES) {
  test(`helpdesk case rules on ${engine}`, engineSkip(engine), async (t) => {
    const r = await recoveryContext(engine);
    t.after(() => r.close());
    const { ctx } = r;
    await addPerson(ctx, 'helen', ['helpdesk']);
    await addPerson(ctx, 'audrey', ['auditor']);
    await addPerson(ctx, 'bob');
    await addPerson(ctx, 'svc', [], 'service');

    await t.test('one open case per person; nobody recovers themselves; identity is checked by a listed method', async () => {
      const c = await openCase(ctx, { user: 'bob', scenario: 'lost_phone', operator: 'helen' }, by);
      await assert.rejects(openCase(ctx, { user: 'bob', scenario: 'first_device' }, by), /already has an open case/);
      await assert.rejects(openCase(ctx, { user: 'helen', scenario: 'lost_phone', operator: 'helen' }, by), /themselves/);
      await assert.rejects(openCase(ctx, { user: 'svc', scenario: 'lost_phone' }, by), /service accounts/);
      await assert.rejects(recordStep(ctx, c.id, 'verify_identity', { operator: 'helen', method: 'security_questions' }, by), /callback_number_on_file, manager_confirmation, in_person_id, video_call/);
      await assert.rejects(recordStep(ctx, c.id, 'verify_identity', { method: 'video_call' }, by), /needs the person who verified/);
      await assert.rejects(recordStep(ctx, c.id, 'verify_identity', { operator: 'audrey', method: 'video_call' }, by), /recovery:write/);
      await assert.rejects(recordStep(ctx, c.id, 'frobnicate', {}, by), /unknown step/);
      const done = await recordStep(ctx, c.id, 'verify_identity', { operator: 'helen', method: 'manager_confirmation', notes: 'confirmed by her manager Pat' }, by);
      assert.equal(done.case.steps[0]!.operator, 'helen');
      assert.equal(done.case.steps[0]!.details.method, 'manager_confirmation');
      assert.equal(done.case.nextStep, 'issue_tap');
      await assert.rejects(recordStep(ctx, c.id, 'verify_identity', { operator: 'helen', method: 'video_call' }, by), /waits for step issue_tap/);

      // Skipping needs a reason; skipping the pass skips its delivery too.
      await assert.rejects(recordStep(ctx, c.id, 'issue_tap', { skip: true }, by), /needs a reason/);
      const skipped = await recordStep(ctx, c.id, 'issue_tap', { skip: true, reason: 'user still has backup codes' }, by);
      assert.deepEqual(skipped.case.steps.slice(1).map((s) => [s.step, s.outcome]), [['issue_tap', 'skipped'], ['deliver_tap', 'skipped']]);
      assert.equal(skipped.case.nextStep, 'new_method_registered');
      await assert.rejects(recordStep(ctx, c.id, 'close', {}, by), /waits for step new_method_registered/);
      const audit = (await ctx.store.db.selectFrom('audit_log').select('action').where('target', '=', `case:${c.id}`).orderBy('seq').execute()).map((a) => a.action);
      assert.deepEqual(audit, ['case.open', 'case.step.verify_identity', 'case.step.skip']);
    });

    await t.test('a privileged account\'s pass is approved as its own step before it can be delivered', async () => {
      await addPerson(ctx, 'hugo', ['helpdesk']);
      await addPerson(ctx, 'gina', ['global_admin']);
      await addPerson(ctx, 'erin', ['global_admin']);
      const c = await openCase(ctx, { user: 'gina', scenario: 'lost_phone', operator: 'erin' }, by);
      await recordStep(ctx, c.id, 'verify_identity', { operator: 'erin', method: 'video_call' }, by);
      // Naming an approver does not approve the pass.
      const issued = await recordStep(ctx, c.id, 'issue_tap', { operator: 'erin', approver: 'hugo' }, by);
      assert.equal(issued.case.nextStep, 'approve_tap');
      assert.equal(issued.case.steps.at(-1)!.details.state, 'pending_approval');
      await assert.rejects(recordStep(ctx, c.id, 'deliver_tap', { channel: 'phone_call' }, by), /waits for step approve_tap/);
      await assert.rejects(recordStep(ctx, c.id, 'approve_tap', { skip: true, reason: 'approver is on holiday' }, by), /cannot be skipped/);
      await assert.rejects(recordStep(ctx, c.id, 'approve_tap', { operator: 'erin' }, by), /different person from the issuer/);
      const approved = await recordStep(ctx, c.id, 'approve_tap', { operator: 'hugo' }, by);
      assert.equal(approved.case.steps.at(-1)!.operator, 'hugo');
      assert.equal(approved.case.nextStep, 'deliver_tap');
      assert.equal((await listTaps(ctx.store.db, 'gina'))[0]!.state, 'active');
      await recordStep(ctx, c.id, 'deliver_tap', { channel: 'in_person' }, by);
      await cancelCase(ctx, c.id, 'test finished here', by);

      // Approved with `tap approve` instead: the case records the step with the approver.
      const d = await openCase(ctx, { user: 'gina', scenario: 'first_device', operator: 'erin' }, by);
      await recordStep(ctx, d.id, 'verify_identity', { operator: 'erin', method: 'in_person_id' }, by);
      const pass = await recordStep(ctx, d.id, 'issue_tap', { operator: 'erin' }, by);
      await approveTap(ctx.store, (pass.output!.tap as { id: string }).id, 'hugo', by);
      const after = await getCase(ctx.store.db, d.id);
      assert.deepEqual(after.steps.map((s) => [s.step, s.operator]).slice(-1), [['approve_tap', 'hugo']]);
      assert.equal(after.nextStep, 'deliver_tap');
      await cancelCase(ctx, d.id, 'test finished here', by);
    });

    await t.test('an ordinary account\'s pass needs no approval step', async () => {
      await addPerson(ctx, 'olga');
      const c = await openCase(ctx, { user: 'olga', scenario: 'lost_phone', operator: 'helen' }, by);
      await recordStep(ctx, c.id, 'verify_identity', { operator: 'helen', method: 'video_call' }, by);
      const issued = await recordStep(ctx, c.id, 'issue_tap', { operator: 'helen' }, by);
      assert.equal(issued.case.nextStep, 'deliver_tap');
      await cancelCase(ctx, c.id, 'test finished here', by);
    });

    await t.test('cancelling ends the case and revokes its pass; listing finds it', async () => {
      const carl = await addPerson(ctx, 'carl');
      const c = await openCase(ctx, { user: 'carl', scenario: 'first_device' }, by);
      await recordStep(ctx, c.id, 'verify_identity', { operator: 'helen', method: 'in_person_id' }, by);
      const issued = await recordStep(ctx, c.id, 'issue_tap', { operator: 'helen' }, by);
      assert.equal(typeof issued.output?.pass, 'string');
      assert.ok(!JSON.stringify(issued.case).includes(issued.output!.pass as string), 'the pass is not kept in the case');
      await assert.rejects(recordStep(ctx, c.id, 'deliver_tap', { channel: 'E-Mail' }, by), /email is refused/);
      await assert.rejects(recordStep(ctx, c.id, 'deliver_tap', { channel: 'sms' }, by), /text messages are refused/);
      await assert.rejects(recordStep(ctx, c.id, 'deliver_tap', { channel: 'carrier pigeon' }, by), /unknown delivery channel/);
      const refusedSteps = (await getCase(ctx.store.db, c.id)).steps.filter((s) => s.outcome === 'refused');
      assert.equal(refusedSteps.length, 2);
      assert.match(refusedSteps[0]!.reason!, /email is refused/);
      await assert.rejects(cancelCase(ctx, c.id, 'no', by), /needs a reason/);
      const cancelled = await cancelCase(ctx, c.id, 'caller could not answer the callback', by);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await listTaps(ctx.store.db, carl.id))[0]!.state, 'revoked');
      await assert.rejects(recordStep(ctx, c.id, 'deliver_tap', { channel: 'phone_call' }, by), /cancelled/);
      const listed = await listCases(ctx.store.db, { user: 'carl' });
      assert.deepEqual(listed.map((x) => [x.id, x.status]), [[c.id, 'cancelled']]);
      assert.equal((await listCases(ctx.store.db, { status: 'open' })).length, 1);
    });

    await t.test('a case names the person who opened it, not the channel; the audit entry keeps both', async () => {
      await addPerson(ctx, 'ivy');
      const c = await openCase(ctx, { user: 'ivy', scenario: 'lost_phone', operator: 'helen' }, { actor: 'cli:root' });
      assert.equal(c.openedBy, 'helen');
      assert.equal((await getCase(ctx.store.db, c.id)).openedBy, 'helen');
      assert.equal((await listCases(ctx.store.db, { user: 'ivy' }))[0]!.openedBy, 'helen');
      const entry = await ctx.store.db.selectFrom('audit_log').select(['actor', 'after_json']).where('target', '=', `case:${c.id}`).where('action', '=', 'case.open').executeTakeFirstOrThrow();
      const helen = await ctx.store.db.selectFrom('users').select('id').where('username', '=', 'helen').executeTakeFirstOrThrow();
      assert.equal(entry.actor, 'cli:root');
      assert.equal((JSON.parse(entry.after_json!) as { operatorId: string }).operatorId, helen.id);
      // Renamed later: the case follows the person.
      await ctx.store.db.updateTable('users').set({ username: 'helen.b' }).where('id', '=', helen.id).execute();
      assert.equal((await getCase(ctx.store.db, c.id)).openedBy, 'helen.b');
      await ctx.store.db.updateTable('users').set({ username: 'helen' }).where('id', '=', helen.id).execute();
      await cancelCase(ctx, c.id, 'test finished here', by);
      // Without a named person, the channel is all there is to show.
      const d = await openCase(ctx, { user: 'ivy', scenario: 'first_device' }, { actor: 'token:abc' });
      assert.equal(d.openedBy, 'token:abc');
      await cancelCase(ctx, d.id, 'test finished here', by);
    });
  });
}
