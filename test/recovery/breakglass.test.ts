import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { addPerson, recoveryContext } from './support.ts';
import { breakGlassReport, recordBreakGlassTest, setBreakGlassSettings } from '../../src/recovery/breakglass/index.ts';
import { writeSigninLog } from '../../src/monitor/signin-log.ts';
import { acknowledgeAlert, listAlerts } from '../../src/monitor/alerts.ts';
import type { AppContext } from '../../src/app/context.ts';

const by = { actor: 'test:security' };
const DAY = 24 * 3600 * 1000;

/** A security key as the WebAuthn module stores it (only what the report reads matters). */
async function addSecurityKey(ctx: AppContext, userId: string, name: string): Promise<void> {
  await ctx.store.db.insertInto('webauthn_credentials' as never).values({
    id: randomUUID(), user_id: userId, credential_id: randomUUID(), public_key: 'pk', name, kind: 'security_key', aaguid: '00000000-0000-0000-0000-000000000000',
    transports: '[]', attestation_format: 'none', discoverable: 0, user_verified: 1, backup_eligible: 0, backed_up: 0, sign_count: 0,
    created_at: new Date().toISOString(), last_used_at: null,
  } as never).execute();
}

for (const engine of ENGINES) {
  test(`break-glass accounts on ${engine}`, engineSkip(engine), async (t) => {
    const r = await recoveryContext(engine);
    t.after(() => r.close());
    const { ctx } = r;
    const ready = await addPerson(ctx, 'glass-ready', [], 'break_glass');
    const weak = await addPerson(ctx, 'glass-weak', [], 'break_glass');
    await addPerson(ctx, 'bob');
    await addSecurityKey(ctx, ready.id, 'Key in safe A');
    await addSecurityKey(ctx, ready.id, 'Key in safe B');
    await addSecurityKey(ctx, weak.id, 'Only key');

    await t.test('reports which accounts lack two phishing-resistant credentials or a recent test', async () => {
      const report = await breakGlassReport(ctx.store.db);
      assert.equal(report.testIntervalDays, 90);
      assert.deepEqual(report.accounts.map((a) => [a.username, a.phishingResistantCount, a.enoughCredentials]), [['glass-ready', 2, true], ['glass-weak', 1, false]]);
      assert.deepEqual(report.missingCredentials, ['glass-weak']);
      assert.deepEqual(report.overdue, ['glass-ready', 'glass-weak'], 'never tested counts as overdue');
      assert.match(report.accounts[1]!.problems.join('; '), /needs at least 2/);
    });

    await t.test('a test passes only on a real sign-in; the interval is configurable', async () => {
      await assert.rejects(recordBreakGlassTest(ctx.store, 'glass-ready', {}, by), /no successful sign-in/);
      await assert.rejects(recordBreakGlassTest(ctx.store, 'bob', {}, by), /not a break-glass account/);
      await writeSigninLog(ctx.store.db, { userId: ready.id, username: 'glass-ready', result: 'success', reason: 'ok', methodsUsed: ['password', 'webauthn'] });
      const passed = await recordBreakGlassTest(ctx.store, 'glass-ready', { notes: 'quarterly drill' }, by);
      assert.equal(passed.result, 'pass');
      assert.equal(passed.actor, 'test:security');
      assert.ok(passed.signinAt);
      const failed = await recordBreakGlassTest(ctx.store, 'glass-weak', { result: 'fail', notes: 'key did not respond' }, by);
      assert.equal(failed.result, 'fail');
      const [alert] = await listAlerts(ctx.store.db, { kind: 'breakglass.test_failed' });
      assert.equal(alert!.severity, 'high');
      let report = await breakGlassReport(ctx.store.db);
      assert.deepEqual(report.overdue, ['glass-weak']);
      assert.equal(report.accounts[0]!.problems.length, 0);
      assert.equal(report.accounts[0]!.lastTest!.result, 'pass');

      // 91 days later the passing test is overdue; with a 120-day interval it is not.
      const later = new Date(Date.now() + 91 * DAY);
      report = await breakGlassReport(ctx.store.db, later);
      assert.deepEqual(report.overdue, ['glass-ready', 'glass-weak']);
      assert.match(report.accounts[0]!.problems[0]!, /91 days ago; due every 90 days/);
      await setBreakGlassSettings(ctx.store, { testIntervalDays: 120 }, by);
      assert.deepEqual((await breakGlassReport(ctx.store.db, later)).overdue, ['glass-weak']);
      await assert.rejects(setBreakGlassSettings(ctx.store, { testIntervalDays: 0 }, by), /at least 1 day/);
      const audit = (await ctx.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'breakglass.%').execute()).map((a) => a.action);
      assert.deepEqual(audit.sort(), ['breakglass.settings.update', 'breakglass.test', 'breakglass.test']);
    });

    await t.test('alerts are acknowledged once, audited', async () => {
      const [alert] = await listAlerts(ctx.store.db, {});
      const acked = await acknowledgeAlert(ctx.store, alert!.id, by, 'drill, expected');
      assert.equal(acked.acknowledgedBy, 'test:security');
      await assert.rejects(acknowledgeAlert(ctx.store, alert!.id, by), /already acknowledged/);
      assert.equal((await listAlerts(ctx.store.db, {})).length, 0);
      assert.equal((await listAlerts(ctx.store.db, { includeAcknowledged: true })).length, 1);
      assert.equal((await listAlerts(ctx.store.db, { includeAcknowledged: true, severity: 'critical' })).length, 0);
    });
  });
}
