import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { childrenOf, startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import { restartWithYoungGeneration, SEMI_SPACE_MB, youngGenerationFlags } from '../../src/app/young-generation.ts';
import { cliEnv } from './support.ts';

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
// Under CI the test runs anyway, and fails, rather than pass unseen.
const noProc = existsSync('/proc/self/cmdline') || process.env.CI === 'true' ? false : 'a process\'s command line is read from /proc (Linux)';

for (const engine of ENGINES) {
  test(`tessera serve --workers 2 and its workers run with the flag, under the same process id, on ${engine}`, { skip: noProc || engineSkip(engine).skip }, async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-young-'));
    let server: ServeProcess | null = null;
    t.after(async () => {
      await server?.kill();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { NODE_OPTIONS: _notTheOperatorsChoiceHere, ...env } = cliEnv(db, dataDir);
    server = await startServeProcess(env, { args: ['--workers', '2'] });
    const primary = server.child.pid!;
    assert.ok(commandLine(primary).includes(FLAG), `the primary: ${commandLine(primary).join(' ')}`);
    const workers = childrenOf(primary);
    assert.equal(workers.length, 2);
    for (const w of workers) assert.ok(commandLine(w).includes(FLAG), `a worker: ${commandLine(w).join(' ')}`);
    assert.equal(await server.stop(), 0, 'the restarted process is the one that was started: it answers the signal and exits');
  });
}
