import { renameSync, rmSync } from 'node:fs';
import { infoFrom, type BackupInfo } from './info.ts';
import { PgToolError, runPgTool, startPgTool } from './pg-tools.ts';

/**
 * PostgreSQL: pg_dump's custom format (one consistent snapshot, compressed,
 * restorable table by table), to a temporary name first.
 */
export async function snapshotPostgres(url: string, file: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await runPgTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', partial], url);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** COPY's text rows of one table from a dump: tab-separated, \N for null, backslash escapes. */
function copyRows(script: string, table: string): string[][] {
  const start = script.search(new RegExp(`^COPY public\\.${table} \\(`, 'm'));
  if (start < 0) return [];
  const body = script.slice(script.indexOf('\n', start) + 1);
  const rows: string[][] = [];
  for (const line of body.split('\n')) {
    if (line === '\\.') break;
    rows.push(line.split('\t').map((v) => v.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c)));
  }
  return rows;
}

/** What a dump says about itself, read from the dump alone (nothing is restored); null when it is not one of ours. */
export async function readPostgresBackup(file: string): Promise<BackupInfo | null> {
  let script: string;
  try {
    script = await runPgTool('pg_restore', ['--data-only', '--table=store_info', '--table=schema_migrations', '--file=-', file], null);
  } catch (err) {
    if (err instanceof PgToolError && /not found: install/.test(err.message)) throw err;
    return null;
  }
  const values = new Map(copyRows(script, 'store_info').map(([name, value]) => [name!, value!]));
  const migrations = copyRows(script, 'schema_migrations').map(([name]) => name!).sort();
  return infoFrom(values, migrations);
}

/**
 * Replaces everything in the database's public schema with the dump, in one
 * transaction (a failure half-way leaves the database as it was). The dump's
 * SQL streams from pg_restore into psql, never held whole in memory.
 */
export async function replacePostgres(url: string, file: string): Promise<void> {
  const psql = startPgTool('psql', ['--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1', '--single-transaction', '--file=-'], url);
  const dump = startPgTool('pg_restore', ['--no-owner', '--no-privileges', '--file=-', file], null, false);
  dump.child.stdin.end();
  psql.child.stdin.write('DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n');
  dump.child.stdout.pipe(psql.child.stdin);
  const failed = dump.done.catch((err: unknown) => {
    psql.child.kill();
    throw err;
  });
  await Promise.all([failed, psql.done]);
}
