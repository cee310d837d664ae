import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { freePort } from '../support/postgres-server.ts';
import { waitUntil } from '../support/write-load.ts';
import { restartWithYoungGeneration, SEMI_SPACE_MB, youngGenerationFlags } from '../../src/app/young-generation.ts';
import { cliEnv, NODE, TESSERA } from './support.ts';

/**
 * The server's processes run with Tessera's young generation (src/app/young-generation.ts):
 * `tessera serve` starts itself again with the flag, the cluster gives it to its workers,
 * and an operator's own choice stands.
 */
const FLAG = `--max-semi-space-size=${SEMI_SPACE_MB}`;

test('the flag is added unless the operator chose a size, on the command line or in NODE_OPTIONS', () => {
  assert.deepEqual(youngGenerationFlags([], undefined), [FLAG]);
  assert.deepEqual(youngGenerationFlags(['--enable-source-maps'], '--max-old-space-size=512'), [FLAG]);
  assert.deepEqual(youngGenerationFlags(['--max-semi-space-size=16'], undefined), []);
  assert.deepEqual(youngGenerationFlags(['--max_semi_space_size', '32'], undefined), []);
  assert.deepEqual(youngGenerationFlags([], '--trace-gc --max-semi-space-size=0'), []);
});

test('serve is started again with the same command and the flag first; not at all once it has it', () => {
  const argv = ['/usr/bin/node', '/opt/tessera/bin/tessera.js', 'serve', '--workers', '2'];
  assert.deepEqual(restartWithYoungGeneration({ argv, execArgv: ['--enable-source-maps'], env: {} }),
    ['/usr/bin/node', FLAG, '--enable-source-maps', '/opt/tessera/bin/tessera.js', 'serve', '--workers', '2']);
  assert.equal(restartWithYoungGeneration({ argv, execArgv: [FLAG], env: {} }), null);
  assert.equal(restartWithYoungGeneration({ argv, execArgv: [], env: { NODE_OPTIONS: '--max-semi-space-size=0' } }), null);
});

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const childrenOf = (pid: number) => spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
// Under CI the test runs anyway, and fails, rather than pass unseen.
const noProc = existsSync('/proc/self/cmdline') || process.env.CI === 'true' ? false : 'a process\'s command line is read from /proc (Linux)';

for (const engine of ENGINES) {
  test(`tessera serve --workers 2 and its workers run with the flag, under the same process id, on ${engine}`, { skip: noProc || engineSkip(engine).skip }, async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-young-'));
    let server: ChildProcess | null = null;
    t.after(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const port = await freePort();
    const { NODE_OPTIONS: _notTheOperatorsChoiceHere, ...env } = cliEnv(db, dataDir);
    server = spawn(NODE, [TESSERA, 'serve', '--workers', '2'], { env: { ...env, PORT: String(port), TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_RADIUS_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil(() => out.includes('running at'), 30_000, 'the server says it runs');
    const primary = server.pid!;
    assert.ok(commandLine(primary).includes(FLAG), `the primary: ${commandLine(primary).join(' ')}`);
    const workers = childrenOf(primary);
    assert.equal(workers.length, 2);
    for (const w of workers) assert.ok(commandLine(w).includes(FLAG), `a worker: ${commandLine(w).join(' ')}`);
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await exited, 0, 'the restarted process is the one that was started: it answers the signal and exits');
  });
}
