import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

/** The recovery commands through the real binary: tap, device, alerts, breakglass; one-line errors, --json. */
test('tessera recovery commands', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-recovery-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const cli = (args: string[]) => runCli(args, env);
    const ok = async (args: string[]) => {
      const r = await cli(args);
      assert.equal(r.code, 0, `tessera ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    const fails = async (args: string[], pattern: RegExp, code = 1) => {
      const r = await cli(args);
      assert.equal(r.code, code, `tessera ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n')[0]!.startsWith('tessera: '), true);
    };
    for (const u of ['helen', 'hugo', 'amy', 'bob']) await ok(['user', 'create', u]);
    await ok(['role', 'grant', 'helen', 'helpdesk']);
    await ok(['role', 'grant', 'hugo', 'helpdesk']);
    await ok(['role', 'grant', 'amy', 'global_admin']);

    await t.test('tap create shows the pass once; four-eyes; nobody issues to themselves', async () => {
      const text = await ok(['tap', 'create', 'bob', '--as', 'helen', '--lifetime', '2h']);
      assert.match(text, /^ {4}[a-z2-9]{4} [a-z2-9]{4} [a-z2-9]{4}$/m);
      assert.match(text, /Shown once.*never by email/);
      const issued = JSON.parse(await ok(['tap', 'create', 'bob', '--as', 'helen', '--json'])) as { pass: string; tap: { id: string; expiresAt: string } };
      assert.equal(issued.pass.length, 12);
      const shown = JSON.parse(await ok(['tap', 'show', 'bob', '--json'])) as Array<{ id: string; state: string }>;
      assert.deepEqual(shown.map((x) => x.state), ['active', 'replaced']);
      assert.ok(!JSON.stringify(shown).includes(issued.pass));
      assert.match(await ok(['tap', 'show', 'bob']), /state\s+active/);
      // The person named with --as, not the operating-system account the command ran under.
      assert.match(await ok(['tap', 'show', 'bob']), /issued\s+\S+ by helen \(through cli:/);
      await fails(['tap', 'create', 'helen', '--as', 'helen'], /for themselves/);
      await fails(['tap', 'create', 'bob'], /--as <username>/);
      await fails(['tap', 'create', 'bob', '--as', 'helen', '--lifetime', '5m'], /between 10 and 480 minutes/);
      await fails(['tap', 'create', 'bob', '--as', 'helen', '--lifetime', 'soon'], /--lifetime must be like/, 2);
      await fails(['tap', 'create', 'bob', '--as', 'helen', '--multi-use'], /one-time passes only/);

      const pending = JSON.parse(await ok(['tap', 'create', 'amy', '--as', 'helen', '--json'])) as { tap: { id: string; state: string } };
      assert.equal(pending.tap.state, 'pending_approval');
      await fails(['tap', 'approve', pending.tap.id, '--as', 'helen'], /different person from the issuer/);
      await fails(['tap', 'approve', pending.tap.id, '--as', 'bob'], /no privileged role/);
      assert.match(await ok(['tap', 'approve', pending.tap.id, '--as', 'hugo']), /approved/);
      assert.match(await ok(['tap', 'show', 'amy']), /approval\s+approved \S+ by hugo/);
      assert.match(await ok(['tap', 'revoke', 'bob', '--reason', 'done']), /revoked the pass of bob/);
      assert.match(await ok(['tap', 'revoke', 'bob']), /no live pass/);
    });

    await t.test('tap policy', async () => {
      assert.match(await ok(['tap', 'policy']), /default 60 min, from 10 to 480 min/);
      const p = JSON.parse(await ok(['tap', 'policy', '--max-lifetime', '2d', '--allow-multi-use', '--json'])) as { maxLifetimeMinutes: number; allowMultiUse: boolean };
      assert.deepEqual([p.maxLifetimeMinutes, p.allowMultiUse], [2880, true]);
      const multi = JSON.parse(await ok(['tap', 'create', 'bob', '--as', 'helen', '--multi-use', '--lifetime', '1d', '--json'])) as { tap: { oneTime: boolean } };
      assert.equal(multi.tap.oneTime, false);
      await fails(['tap', 'policy', '--max-lifetime', '31d'], /at most 30 days/);
    });

    await t.test('device lost, alerts, offboarding', async () => {
      const d = JSON.parse(await ok(['device', 'add', 'bob', '--label', 'Bob phone', '--json'])) as { id: string };
      assert.match(await ok(['device', 'list', 'bob']), /Bob phone/);
      assert.match(await ok(['device', 'lost', d.id]), /Bob phone is lost: 0 method\(s\) revoked/);
      const alerts = JSON.parse(await ok(['alerts', '--json'])) as Array<{ id: string; kind: string; severity: string }>;
      const lost = alerts.find((a) => a.kind === 'device.lost')!;
      assert.equal(lost.severity, 'medium');
      assert.match(await ok(['alerts', '--severity', 'medium']), /device\.lost/);
      assert.match(await ok(['alerts', 'ack', lost.id, '--note', 'user confirmed']), /acknowledged/);
      await fails(['alerts', 'ack', lost.id], /already acknowledged/);
      assert.ok(!(await ok(['alerts'])).includes(lost.id));
      assert.match(await ok(['alerts', '--all']), /device\.lost/);
      await fails(['device', 'retire', d.id, 'extra'], /expected a device id/, 2);
      assert.match(await ok(['device', 'offboard', 'bob', '--reason', 'left']), /offboarded bob: 1 device\(s\) retired/);
    });

    await t.test('break-glass list, test, settings', async () => {
      await ok(['user', 'create', 'glass', '--kind', 'break_glass']);
      const list = await cli(['breakglass', 'list', '--check']);
      assert.equal(list.code, 1, 'not ready: no keys, never tested');
      assert.match(list.stdout, /glass \(active\) — NOT READY/);
      assert.match(list.stdout, /needs at least 2/);
      await fails(['breakglass', 'test', 'glass'], /no successful sign-in of glass in the last 24 hours/);
      assert.match(await ok(['breakglass', 'test', 'glass', '--result', 'fail', '--notes', 'no keys yet']), /FAILED test of glass/);
      const report = JSON.parse(await ok(['breakglass', 'list', '--json'])) as { accounts: Array<{ lastTest: { result: string; actor: string } }>; overdue: string[] };
      assert.equal(report.accounts[0]!.lastTest.result, 'fail');
      assert.match(report.accounts[0]!.lastTest.actor, /^cli:/);
      assert.deepEqual(report.overdue, ['glass']);
      assert.match(await ok(['breakglass', 'settings', '--test-interval-days', '30']), /every 30 days/);
      assert.match((await ok(['alerts'])), /breakglass\.test_failed/);
    });
  })));
});
