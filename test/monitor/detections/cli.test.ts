import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../../support/engines.ts';
import { cliEnv, runCli } from '../../foundation/support.ts';

/** `tessera detections` as an operator runs it, on both engines. */
test('tessera detections', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-detections-cli-'));
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

    const defaults = JSON.parse(await ok(['detections', 'settings'])) as { bruteForce: { failures: number; windowMinutes: number } };
    assert.deepEqual(defaults.bruteForce, { failures: 10, windowMinutes: 15 });
    const after = JSON.parse(await ok(['detections', 'set', 'bruteForce.failures=25', 'riskHours=12'])) as { bruteForce: { failures: number; windowMinutes: number }; riskHours: number };
    assert.deepEqual([after.bruteForce, after.riskHours], [{ failures: 25, windowMinutes: 15 }, 12]);
    const refused = await cli(['detections', 'set', 'bruteForce.failures=0']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /bruteForce\.failures/);
    assert.match((await cli(['detections', 'set', 'nonsense=1'])).stderr, /unknown setting nonsense/);
    assert.match(await ok(['detections', 'scan']), /^scanned \d+ sign-ins and \d+ audit entries: 0 alerts/);
    const status = JSON.parse(await ok(['detections', 'status', '--json'])) as { lastBatchAt: string | null; auditLogUpTo: number };
    assert.ok(status.lastBatchAt);
    assert.ok(status.auditLogUpTo >= 1, 'the settings change was read');
  })));
});
