/**
 * Start-up costs of `tessera`, each run in a fresh process:
 *   - cold start: from spawning `tessera serve` to /healthz answering 200,
 *     with a fresh data dir (the schema is created) and with an existing one;
 *   - memory: the server's RSS once /healthz answers (and a second later),
 *     as one process (--workers 1) and with the default workers (the primary
 *     and every worker added up);
 *   - a CLI listing: `tessera user list` against a data dir with a few people,
 *     beside `node -e 0`, the floor any command pays.
 * One warm-up run each, then the median and range of the runs (default 5).
 * The load average is printed before and after: the figures mean little on a
 * busy machine.
 *
 *   node bench/startup.ts [runs=5]
 *
 * Not part of the test run. The compile cache (bin/tessera.js) is used as a
 * user's runs would use it: warm after the first run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './lib/figures.ts';
import { QUIET_MS } from './lib/process.ts';
import { spread } from './lib/stats.ts';

const runs = Math.max(1, Number(process.argv[2] ?? 5));
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'tessera.js');
const masterKey = randomBytes(32).toString('base64');
const scratch = mkdtempSync(join(tmpdir(), 'tessera-startup-bench-'));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** `workers` undefined: the server's default (one per core). */
function envFor(dataDir: string, port: number, workers?: number): NodeJS.ProcessEnv {
  const { DATABASE_URL: _embeddedStoreOnly, TESSERA_WORKERS: _chosenHere, ...inherited } = process.env;
  return {
    ...inherited, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: masterKey, PORT: String(port),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_LOG_LEVEL: 'warn',
    ...(workers ? { TESSERA_WORKERS: String(workers) } : {}),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A process and its descendants (the workers of `serve`), from /proc. */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(tree)];
}

/** The RSS of a process and its descendants, in MB. */
function rssMb(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
      kb += Number(line?.replace(/\D+/g, '') ?? 0);
    } catch {
      // gone in between
    }
  }
  return kb / 1024;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Start { ms: number; rss: number; settledRss: number; quietRss: number }

/**
 * One `tessera serve`: time to the first 200 from /healthz, then its RSS, again after a second, and once
 * it has been quiet long enough to give memory back (src/app/memory-trim.ts: a whole quiet tick of a second).
 */
async function startOnce(dataDir: string, workers?: number): Promise<Start> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [cli, 'serve'], { env: envFor(dataDir, port, workers), stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    while (!(await healthy(port))) {
      if (child.exitCode !== null) throw new Error(`tessera serve exited with ${child.exitCode}`);
      if (performance.now() - began > 30_000) throw new Error('tessera serve did not answer /healthz within 30 s');
      await sleep(5);
    }
    const ms = performance.now() - began;
    const rss = rssMb(child.pid!);
    await sleep(1000);
    const settledRss = rssMb(child.pid!);
    await sleep(QUIET_MS - 1000);
    return { ms, rss, settledRss, quietRss: rssMb(child.pid!) };
  } finally {
    await stop(child);
  }
}

function timeCommand(args: string[], env: NodeJS.ProcessEnv): number {
  const began = performance.now();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - began;
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return ms;
}

/** Warm-up once, then `runs` measurements. */
async function measure<T>(once: () => Promise<T> | T): Promise<T[]> {
  await once();
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

function summary(values: number[], unit: string): string[] {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const f = (n: number) => n.toFixed(unit === 'ms' ? 0 : 1);
  return [`${f(median)} ${unit}`, `${f(sorted[0]!)}–${f(sorted.at(-1)!)} ${unit}`];
}

const rows: [string, ...string[]][] = [];
const before = loadAverage();
try {
  let fresh = 0;
  const freshStarts = await measure(() => startOnce(join(scratch, `fresh-${fresh++}`), 1));
  const existing = join(scratch, 'existing');
  const existingStarts = await measure(() => startOnce(existing, 1));
  const defaultStarts = await measure(() => startOnce(existing));
  rows.push(['cold start, fresh data dir, 1 process', ...summary(freshStarts.map((s) => s.ms), 'ms')]);
  rows.push(['cold start, existing data dir, 1 process', ...summary(existingStarts.map((s) => s.ms), 'ms')]);
  rows.push(['RSS at first 200, 1 process', ...summary(existingStarts.map((s) => s.rss), 'MB')]);
  rows.push(['RSS 1 s later, 1 process', ...summary(existingStarts.map((s) => s.settledRss), 'MB')]);
  rows.push([`RSS ${QUIET_MS / 1000} s later (quiet), 1 process`, ...summary(existingStarts.map((s) => s.quietRss), 'MB')]);
  rows.push([`cold start, default workers (${availableParallelism()})`, ...summary(defaultStarts.map((s) => s.ms), 'ms')]);
  rows.push(['RSS 1 s later, primary + workers', ...summary(defaultStarts.map((s) => s.settledRss), 'MB')]);
  rows.push([`RSS ${QUIET_MS / 1000} s later (quiet), primary + workers`, ...summary(defaultStarts.map((s) => s.quietRss), 'MB')]);

  const env = envFor(existing, 0);
  for (const name of ['ana', 'ben', 'chi', 'dev', 'eli']) spawnSync(process.execPath, [cli, 'user', 'create', name], { env });
  rows.push(['node -e 0 (floor)', ...summary(await measure(() => timeCommand(['-e', '0'], env)), 'ms')]);
  const listings = await measure(() => timeCommand([cli, 'user', 'list'], env));
  rows.push(['tessera user list (5 people)', ...summary(listings, 'ms')]);
  report({ bench: 'startup', name: 'cold start to /healthz, existing data dir, 1 process', unit: 'ms', value: spread(existingStarts.map((x) => x.ms)), goal: { op: '<=', value: 1000 } });
  report({ bench: 'startup', name: 'memory 1 s after start-up, 1 process (RSS)', unit: 'MB', value: spread(existingStarts.map((x) => x.settledRss)) });
  report({ bench: 'startup', name: `memory after start-up, once quiet (${QUIET_MS / 1000} s), 1 process (RSS)`, unit: 'MB', value: spread(existingStarts.map((x) => x.quietRss)), goal: { op: '<=', value: 120 } });
  report({ bench: 'startup', name: 'tessera user list (node bin/tessera.js)', unit: 'ms', value: spread(listings), goal: { op: '<=', value: 250 } });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'what'.padEnd(width)}  ${'median'.padStart(9)}  range (${runs} runs after a warm-up)`);
for (const [what, median, range] of rows) console.log(`${what.padEnd(width)}  ${median!.padStart(9)}  ${range}`);
console.log(`load average before: ${before}; after: ${loadAverage()} (Node ${process.version})`);
