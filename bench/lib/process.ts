/**
 * The processes a benchmark measures: started as children, waited for, and
 * charged the CPU time the OS accounted to them (user + system, every thread,
 * the argon2 pool included) — a figure that survives a noisy machine better
 * than wall-clock throughput.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import { TRIM_RULES } from '../../src/app/memory-trim.ts';

export { freePort } from '../../test/support/postgres-server.ts';

/** Long enough for two of the server's quiet ticks to pass with nothing to do, so it has given memory back (src/app/memory-trim.ts). */
export const QUIET_MS = 3 * TRIM_RULES.tickMs;

const CLOCK_TICKS = 100;

export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds of a process and its children (a server's workers). */
export function treeCpuSeconds(pid: number): number {
  // pgrep exits 1 when there is no child (a single process): that is an empty list, not an error.
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return cpuSeconds(pid) + children.reduce((sum, c) => sum + cpuSeconds(c), 0);
}

export function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

export const load = (): [number, number, number] => loadavg().map((x) => Number(x.toFixed(2))) as [number, number, number];

/** Starts a child and resolves once its standard output shows `ready`. */
export async function startChild(args: string[], ready: string, options: SpawnOptions = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4096);
      if (seen.includes(ready)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)));
  });
  child.stdout!.resume();
  return child;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
