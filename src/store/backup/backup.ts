import { existsSync } from 'node:fs';
import type { Config } from '../../config/config.ts';
import type { Store } from '../store.ts';
import { stampBackup } from './info.ts';
import { snapshotPostgres } from './postgres.ts';
import { fileSize, snapshotSqlite } from './sqlite.ts';
import { BackupError } from './errors.ts';

export interface TakenBackup {
  file: string;
  engine: Store['engine'];
  takenAt: string;
  bytes: number;
}

/**
 * `tessera backup <file>`: a consistent snapshot of the whole store while
 * the server keeps running. The master key is not in it: secrets in the
 * backup stay sealed with the key of this installation, which must be kept
 * safe on its own (the caller says so, loudly).
 */
export async function takeBackup(config: Config, store: Store, file: string): Promise<TakenBackup> {
  if (existsSync(file)) throw new BackupError(`${file} already exists; give a new file name (a backup never overwrites one)`);
  const takenAt = new Date().toISOString();
  await stampBackup(store, config, takenAt);
  if (config.database.engine === 'sqlite') await snapshotSqlite(store, file);
  else await snapshotPostgres(config.database.url, file);
  return { file, engine: store.engine, takenAt, bytes: fileSize(file) };
}
