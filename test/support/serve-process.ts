import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './postgres-server.ts';

/**
 * `tessera serve` as its own process, as an operator starts it: resolves once
 * it says it runs, keeps everything it printed (the log included) for the
 * test to read, and can be stopped gently or killed with -9.
 */
export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

const NODE = process.execPath;
const TESSERA = join(import.meta.dirname, '../../bin/tessera.js');

export async function startServeProcess(env: NodeJS.ProcessEnv, options: { port?: number; args?: string[]; extraEnv?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(NODE, [TESSERA, 'serve', ...(options.args ?? ['--workers', '1'])], {
    env: { TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_RADIUS_PORT: '0', ...env, PORT: String(port), ...options.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 30_000);
    const ready = () => out.includes('running at') && (clearTimeout(timer), resolve());
    child.stdout!.on('data', ready);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the server exited with ${code}: ${out}`))));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    url: `http://127.0.0.1:${port}`, port, child, output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The process ids of a process's children (a serve primary's workers). */
export function childrenOf(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}
