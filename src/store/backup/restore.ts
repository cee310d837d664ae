import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/config.ts';
import { keyCheckMatches } from './key-check.ts';
import type { BackupInfo } from './info.ts';
import { readPostgresBackup, replacePostgres } from './postgres.ts';
import { readSqliteBackup, replaceSqlite } from './sqlite.ts';
import { BackupError } from './errors.ts';

export interface Restored {
  info: BackupInfo;
  /** SQLite: where the database that was replaced now is. */
  kept: string | null;
}

const MIGRATIONS = join(fileURLToPath(new URL('..', import.meta.url)), 'migrations');
const knownMigrations = () => new Set(readdirSync(MIGRATIONS).filter((f) => /^\d{4}_[\w-]+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, '')));

/** Reads the backup and refuses, before anything is replaced, one this installation cannot use. */
export async function checkBackup(config: Config, file: string): Promise<BackupInfo> {
  const engine = config.database.engine;
  const info = engine === 'sqlite' ? readSqliteBackup(file) : await readPostgresBackup(file);
  if (!info) {
    throw new BackupError(`${file} is not a Tessera backup of a ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store (or it is damaged)`);
  }
  if (info.engine !== engine) throw new BackupError(`${file} is a backup of a ${info.engine} store; this installation uses ${engine}`);
  if (!keyCheckMatches(config, info.keyCheck)) {
    throw new BackupError(
      `${file} was made with a different master key. Its secrets (authenticator seeds, signing keys) open only with that key: ` +
        'set TESSERA_MASTER_KEY (or put master.key in the data directory) to the key of the installation that made the backup, then restore again.',
    );
  }
  const known = knownMigrations();
  const newer = info.migrations.filter((m) => !known.has(m));
  if (newer.length) throw new BackupError(`${file} comes from a newer Tessera (it ran ${newer.join(', ')}); restore it with that version or later`);
  return info;
}

/** Replaces the store with the backup. Every node must be stopped first. */
export async function restoreBackup(config: Config, file: string): Promise<Restored> {
  const info = await checkBackup(config, file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (config.database.engine === 'sqlite') return { info, kept: replaceSqlite(file, config.database.file, stamp).kept };
  await replacePostgres(config.database.url, file);
  return { info, kept: null };
}
