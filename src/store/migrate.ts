import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely/migration';
import type { Store } from './store.ts';

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Versioned migrations, one file each under ./migrations, named NNNN_what.ts and
 * applied in name order. Kysely's migrator holds a lock while it runs, so two
 * nodes starting at once against one PostgreSQL apply each migration once.
 */
const folderProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(folder)).filter((f) => /^\d{4}_[\w-]+\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
    }
    return migrations;
  },
};

export function migrator(store: Store): Migrator {
  return new Migrator({
    db: store.db,
    provider: folderProvider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

export async function migrateToLatest(store: Store): Promise<MigrationResult[]> {
  const { error, results } = await migrator(store).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const where = failed ? ` (migration ${failed.migrationName})` : '';
    throw new Error(`database migration failed${where}: ${(error as Error).message ?? String(error)}`);
  }
  return results ?? [];
}
