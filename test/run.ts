/**
 * The test command (npm test). Starts the real peers the suite needs that are
 * not already running (a throw-away PostgreSQL server), then runs Node's test
 * runner over the unit tests beside the code and the cross-module tests in test/.
 * Extra arguments are passed to the runner (e.g. a file to run just that).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startPostgres, type RunningPostgres } from './support/postgres-server.ts';

const env: NodeJS.ProcessEnv = { ...process.env };
let pgServer: RunningPostgres | null = null;

if (!env.TESSERA_TEST_PG_URL) {
  const started = await startPostgres();
  if ('error' in started) {
    env.TESSERA_TEST_PG_ERROR = started.error;
    console.error(`note: PostgreSQL tests will ${env.CI === 'true' ? 'FAIL' : 'skip'}: ${started.error}`);
  } else {
    pgServer = started;
    env.TESSERA_TEST_PG_URL = started.url;
  }
}
if (!existsSync('/usr/bin/chromium')) {
  console.error(`note: browser tests will ${env.CI === 'true' ? 'FAIL' : 'skip'}: /usr/bin/chromium not found (apt-get install -y chromium)`);
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const reporters: string[] = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (env.TESSERA_TEST_REPORT) {
  reporters.push('--test-reporter=tap', `--test-reporter-destination=${env.TESSERA_TEST_REPORT}`);
}
const runnerArgs = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=180000',
  ...reporters,
  ...flags,
  ...(files.length ? files : ['src/**/*.test.ts', 'test/**/*.test.ts']),
];

const child = spawn(process.execPath, runnerArgs, { env, stdio: 'inherit' });
const stop = () => child.kill('SIGINT');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
if (pgServer) await pgServer.stop();
process.exit(code);
