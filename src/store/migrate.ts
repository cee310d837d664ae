import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely/migration';
import type { Store } from './store.ts';

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Versioned migrations, one file each under ./migrations, named NNNN_what.ts and
 * applied in name order. Kysely's migrator holds a lock while it runs, so two
 * nodes starting at once against one PostgreSQL apply each migration once.
 */
async function migrationFiles(): Promise<string[]> {
  return (await readdir(folder)).filter((f) => /^\d{4}_[\w-]+\.ts$/.test(f)).sort();
}

const folderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of await migrationFiles()) {
      migrations[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
    }
    return migrations;
  },
};

/**
 * Whether the database has applied exactly the migrations this code has: read
 * from the names alone, without loading the migration files or taking the
 * migrator's lock, so every start-up (and every CLI command) after the first
 * skips them. Anything else (a new database, a pending migration, one this code
 * does not know) goes to the migrator, which applies or reports it.
 */
async function upToDate(store: Store): Promise<boolean> {
  const names = (await migrationFiles()).map((f) => f.replace(/\.ts$/, ''));
  let applied: Set<string>;
  try {
    const { rows } = await sql<{ name: string }>`select name from schema_migrations`.execute(store.db);
    applied = new Set(rows.map((r) => r.name));
  } catch {
    return false; // no migrations table yet
  }
  return applied.size === names.length && names.every((n) => applied.has(n));
}

export function migrator(store: Store): Migrator {
  return new Migrator({
    db: store.db,
    provider: folderProvider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

export async function migrateToLatest(store: Store): Promise<MigrationResult[]> {
  if (await upToDate(store)) return [];
  const { error, results } = await migrator(store).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const where = failed ? ` (migration ${failed.migrationName})` : '';
    throw new Error(`database migration failed${where}: ${(error as Error).message ?? String(error)}`);
  }
  return results ?? [];
}
