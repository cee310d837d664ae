import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

const PASSWORD = 'violet tangerine lighthouse';

for (const engine of ENGINES) {
  test(`tessera signins and tessera session on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    t.after(async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(server.testStore, dataDir);
    await createUserWithPassword(server.ctx, 'grace', PASSWORD);
    const b = new Browserish(server.url);
    await startPortalSignin(b, 'grace', 'a wrong password entirely');
    await startPortalSignin(b, 'grace', PASSWORD);
    assert.equal((await b.request('GET', '/api/me')).status, 200);

    await t.test('signins lists every attempt, filtered and as JSON', async () => {
      const all = await runCli(['signins', '--user', 'grace', '--json'], env);
      assert.equal(all.code, 0, all.stderr);
      const rows = JSON.parse(all.stdout) as Array<{ result: string; reason: string; username: string }>;
      assert.deepEqual(rows.map((r) => [r.result, r.reason]), [['success', 'ok'], ['failure', 'bad_password']]);
      const failures = await runCli(['signins', '--result', 'failure', '--since', '1h'], env);
      assert.equal(failures.code, 0, failures.stderr);
      assert.match(failures.stdout, /bad_password/);
      assert.doesNotMatch(failures.stdout, /\bok\b/);
      const bad = await runCli(['signins', '--since', 'yesterday-ish'], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--since/);
    });

    await t.test('session revoke-all signs the user out everywhere and is audited', async () => {
      const res = await runCli(['session', 'revoke-all', 'grace', '--reason', 'phone stolen', '--json'], env);
      assert.equal(res.code, 0, res.stderr);
      assert.equal((JSON.parse(res.stdout) as { sessions: number }).sessions, 1);
      assert.equal((await b.request('GET', '/api/me')).status, 401);
      const audit = await server.ctx.store.db.selectFrom('audit_log').select(['action', 'actor', 'after_json']).where('action', '=', 'session.revoke_all').execute();
      assert.equal(audit.length, 1);
      assert.match(audit[0]!.actor, /^cli:/);
      assert.match(audit[0]!.after_json!, /phone stolen/);
      const unknown = await runCli(['session', 'revoke-all', 'nobody'], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no user named nobody/);
      const usage = await runCli(['session', 'end'], env);
      assert.equal(usage.code, 2);
    });
  });
}
