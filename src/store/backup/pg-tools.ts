import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PostgreSQL's own client programs (pg_dump, pg_restore, psql) do the
 * PostgreSQL side of backup and restore: they know every type and keep a
 * dump consistent (one repeatable-read snapshot). The newest installed
 * version is used, since pg_dump refuses a server newer than itself.
 */
export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

export function findPgTool(tool: PgTool): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
      const candidate = join(base, v, 'bin', tool);
      if (existsSync(candidate)) return candidate;
    }
  }
  const which = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

export class PgToolError extends Error {}

export function requirePgTool(tool: PgTool): string {
  const found = findPgTool(tool);
  if (!found) throw new PgToolError(`${tool} was not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)`);
  return found;
}

/**
 * The connection as libpq's environment variables, so the password is never
 * on a command line (where any local user's `ps` would show it).
 */
function connectionEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {
    PGHOST: decodeURIComponent(u.hostname) || u.searchParams.get('host') || 'localhost',
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')),
    PGCONNECT_TIMEOUT: '10',
  };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

export interface RunningTool {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with what the tool printed on standard output (unless that was piped elsewhere). */
  done: Promise<string>;
}

/** Starts a tool; with a URL, connected to that database. Its error names no URL. */
export function startPgTool(tool: PgTool, args: string[], url: string | null, collect = true): RunningTool {
  const bin = requirePgTool(tool);
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  const child = spawn(bin, args, { env: { ...base, ...(url ? connectionEnv(url) : {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  const done = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    if (collect) child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8192)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new PgToolError(`${tool} failed: ${firstLine(stderr)}`))));
  });
  return { child, done };
}

export function runPgTool(tool: PgTool, args: string[], url: string | null): Promise<string> {
  const run = startPgTool(tool, args, url);
  run.child.stdin.end();
  return run.done;
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim())?.replace(/postgres(ql)?:\/\/\S+/g, '<database>') ?? 'no message';
