/**
 * npm run bench: every benchmark in turn, one after another so they do not
 * compete for the machine, each printing its own figures. Names run just
 * those; --json also writes every figure to bench/results/latest.json and a
 * chart beside it (latest.svg), and prints both paths. Other options
 * (--engine, --pairs, --seconds…) are passed on to each benchmark.
 *
 *   npm run bench -- [names…] [--json] [--engine sqlite|postgres|both] [--pairs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIGURES_FILE, type Figure } from './lib/figures.ts';
import { writeRun } from './lib/results.ts';

const BENCHES: Record<string, { file: string; takes: string[] }> = {
  signin: { file: 'bench/signin.ts', takes: ['--engine', '--pairs', '--seconds'] },
  'client-credentials': { file: 'bench/client-credentials.ts', takes: ['--engine', '--pairs', '--seconds'] },
  refresh: { file: 'bench/refresh.ts', takes: ['--engine', '--pairs', '--seconds'] },
  policy: { file: 'bench/policy.ts', takes: [] },
  workers: { file: 'bench/workers.ts', takes: ['--engine', '--pairs', '--seconds'] },
  radius: { file: 'bench/radius.ts', takes: [] },
  startup: { file: 'bench/startup.ts', takes: [] },
  memory: { file: 'bench/memory.ts', takes: ['--engine'] },
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const options: Record<string, string> = {};
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') continue;
  if (args[i]!.startsWith('--')) options[args[i]!] = args[++i] ?? '';
  else names.push(args[i]!);
}
const unknown = names.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'tessera-bench-run-'));
const figuresFile = join(scratch, 'figures.jsonl');
let failed = 0;
for (const name of names.length ? names : Object.keys(BENCHES)) {
  const bench = BENCHES[name]!;
  const passed = bench.takes.flatMap((o) => (o in options ? [o, options[o]!] : []));
  console.log(`== ${name}`);
  const run = spawnSync(process.execPath, [bench.file, ...passed], { stdio: 'inherit', env: { ...process.env, [FIGURES_FILE]: figuresFile } });
  if (run.status !== 0) failed++;
}
if (json) {
  const figures = existsSync(figuresFile)
    ? readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure)
    : [];
  const written = writeRun(resolve(import.meta.dirname, 'results'), figures);
  console.log(`figures: ${written.json}\nchart: ${written.svg}`);
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
