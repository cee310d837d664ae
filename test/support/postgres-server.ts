import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts a throw-away PostgreSQL server for one test run: initdb into a temp
 * directory, its own port on loopback, trust auth, torn down afterwards.
 * Returns null with the reason when no PostgreSQL binaries are installed.
 */
export interface RunningPostgres {
  url: string;
  /** Stops the server and starts it again on the same data and port, as an operator's restart would. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function findPostgresBin(): string | null {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates: string[] = [];
  if (fromConfig.status === 0) candidates.push(fromConfig.stdout.trim());
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) candidates.push(join(base, v, 'bin'));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) ?? null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** initdb and postgres refuse to run as root; on CI (root) they run as the postgres user. */
function asServiceUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

export async function startPostgres(): Promise<RunningPostgres | { error: string }> {
  const bin = findPostgresBin();
  if (!bin) return { error: 'PostgreSQL server binaries not found (install the postgresql package)' };
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const dataDir = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return { error: 'running as root but there is no postgres user to run the server as' };
    const uid = Number(id.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const [initCmd, initArgs] = asServiceUser(join(bin, 'initdb'), [
    '-D', dataDir, '-U', 'tessera', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) return { error: `initdb failed: ${init.stderr || init.stdout}` };

  const port = await freePort();
  let server = await launch(bin, dataDir, dir, port);
  if ('error' in server) return server;
  const url = `postgres://tessera@127.0.0.1:${port}/postgres`;
  return {
    url,
    async restart() {
      // As root the server runs under runuser, which does not pass signals on: signal the postmaster itself.
      const pidFile = join(dataDir, 'postmaster.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
      if (pid > 0) process.kill(pid, 'SIGINT');
      const until = Date.now() + 15_000;
      while (existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if ('child' in server) await shutdown(server.child);
      server = await launch(bin, dataDir, dir, port);
      if ('error' in server) throw new Error(server.error);
    },
    async stop() {
      if ('child' in server) await shutdown(server.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the server on an initialised data directory and waits until it accepts connections. */
async function launch(bin: string, dataDir: string, dir: string, port: number): Promise<{ child: ChildProcess } | { error: string }> {
  const [cmd, args] = asServiceUser(join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { error: `postgres exited: ${log}` };
    if (log.includes('ready to accept connections')) return { child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  return { error: `postgres did not start in 30 s: ${log}` };
}

/** SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, then exit. */
async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
