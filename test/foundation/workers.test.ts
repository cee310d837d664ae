import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { freePort } from '../support/postgres-server.ts';
import { openStore } from '../../src/store/store.ts';
import { cliEnv, NODE, runCli, TESSERA } from './support.ts';
import { waitUntil, writeLoad } from '../support/write-load.ts';
import { childrenOf } from '../support/serve-process.ts';

/**
 * `tessera serve --workers 2`: two processes share the port over one store.
 * Writers in both never fail on each other (SQLite included), a scrape of
 * /metrics counts both, a worker killed with -9 is replaced and loses no
 * write it acknowledged, and stopping the primary stops them all.
 */
const waitFor = (what: string, check: () => boolean, ms = 15_000) => waitUntil(check, ms, what);

for (const engine of ENGINES) {
  test(`tessera serve --workers 2 on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-workers-'));
    let server: ChildProcess | null = null;
    t.after(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    assert.equal((await runCli(['user', 'create', 'ops'], env)).code, 0);
    assert.equal((await runCli(['role', 'grant', 'ops', 'global_admin'], env)).code, 0);
    const issued = await runCli(['token', 'create', '--role', 'global_admin', '--name', 'workers test', '--owner', 'ops', '--json'], env);
    assert.equal(issued.code, 0, issued.stderr);
    const token = (JSON.parse(issued.stdout) as { token: string }).token;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(NODE, [TESSERA, 'serve', '--workers', '2'], { env: { ...env, PORT: String(port), TESSERA_ISSUER: base, TESSERA_RADIUS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the server says it runs', () => out.includes('running at'), 30_000);
    const primary = server.pid!;

    await t.test('two workers; writers in both never fail on each other; /metrics counts both', async () => {
      assert.match(out, /2 workers\)/);
      assert.equal(childrenOf(primary).length, 2);
      const names = Array.from({ length: 120 }, (_, i) => `burst-${i}`);
      const burst = writeLoad(base, token, names, 8);
      await burst.done;
      const { acknowledged: created, statuses } = burst;
      assert.deepEqual([...new Set(statuses)], [201]);
      assert.equal(created.length, 120);
      const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      const counted = metrics.split('\n')
        .filter((l) => l.startsWith('tessera_http_request_duration_seconds_count{') && l.includes('route="/api/admin/users"') && l.includes('method="POST"'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
      assert.equal(counted, 120, 'the scrape gathers every worker');
    });

    await t.test('a worker killed with -9 is replaced; every acknowledged write is there', async () => {
      const [victim] = childrenOf(primary);
      const burst = writeLoad(base, token, Array.from({ length: 400 }, (_, i) => `kill-${i}`), 8);
      await waitFor('the burst is under way', () => burst.statuses.length >= 60);
      process.kill(victim!, 'SIGKILL');
      const killedAt = burst.statuses.length;
      await burst.done;
      const created = burst.acknowledged;
      assert.ok(killedAt < 400, 'the worker died in the middle of the burst');
      assert.ok(created.length > killedAt, 'the other worker went on serving');
      await waitFor('a new worker takes its place', () => childrenOf(primary).length === 2 && !childrenOf(primary).includes(victim!));
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const store = await openStore(db.database, { migrate: false });
      try {
        const rows = await store.db.selectFrom('users').select('username').where('username', 'like', 'kill-%').execute();
        const stored = new Set(rows.map((r) => r.username));
        assert.deepEqual(created.filter((n) => !stored.has(n)), [], 'acknowledged but missing');
      } finally {
        await store.close();
      }
      const verify = await runCli(['audit', 'verify'], env);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });

    await t.test('stopping the primary stops every worker', async () => {
      const workers = childrenOf(primary);
      const exited = new Promise<number | null>((r) => server!.once('exit', (code) => r(code)));
      server!.kill('SIGTERM');
      assert.equal(await exited, 0);
      await waitFor('no worker is left', () => workers.every((pid) => spawnSync('kill', ['-0', String(pid)]).status !== 0), 10_000);
    });
  });
}
