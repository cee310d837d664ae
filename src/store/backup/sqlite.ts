import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import type { Store } from '../store.ts';
import { infoFrom, type BackupInfo } from './info.ts';

/**
 * SQLite: a consistent online snapshot with VACUUM INTO, which reads the
 * database inside one read transaction while the server goes on writing
 * (WAL), and writes a compact copy. It goes to a temporary name first, so a
 * half-written backup never has the name asked for.
 */
export async function snapshotSqlite(store: Store, file: string): Promise<void> {
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    await sql`vacuum into ${partial}`.execute(store.db);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** What an SQLite backup says about itself; null when the file is not one (or is damaged). */
export function readSqliteBackup(file: string): BackupInfo | null {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch {
    return null;
  }
  try {
    const ok = db.prepare('pragma quick_check').get() as { quick_check?: string } | undefined;
    if (ok?.quick_check !== 'ok') return null;
    const values = new Map((db.prepare('select name, value from store_info').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
    const migrations = (db.prepare('select name from schema_migrations order by name').all() as { name: string }[]).map((r) => r.name);
    return infoFrom(values, migrations);
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/**
 * Puts the backup in place of the database file. The current file is first
 * checkpointed (so none of its writes wait in the WAL) and kept beside it,
 * named with the time, so a restore can itself be undone.
 */
export function replaceSqlite(backup: string, dbFile: string, stamp: string): { kept: string | null } {
  const incoming = `${dbFile}.restoring`;
  rmSync(incoming, { force: true });
  const copy = new DatabaseSync(backup, { readOnly: true });
  try {
    copy.exec(`vacuum into '${incoming.replace(/'/g, "''")}'`);
  } finally {
    copy.close();
  }
  let kept: string | null = null;
  if (existsSync(dbFile)) {
    const current = new DatabaseSync(dbFile);
    current.exec('pragma wal_checkpoint(truncate)');
    current.close();
    kept = `${dbFile}.before-restore-${stamp}`;
    renameSync(dbFile, kept);
    for (const side of ['-wal', '-shm']) rmSync(`${dbFile}${side}`, { force: true });
  }
  renameSync(incoming, dbFile);
  return { kept };
}

export const fileSize = (file: string) => statSync(file).size;
