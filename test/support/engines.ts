import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../src/config/config.ts';
import { openStore, type Store } from '../../src/store/store.ts';

/**
 * Every store test runs on both engines. The PostgreSQL server is started once
 * per run by test/run.ts, which passes its URL in TESSERA_TEST_PG_URL; each test
 * gets a database of its own. Without PostgreSQL the PostgreSQL half skips with
 * a message on a laptop, and fails under CI=true.
 */
export type EngineName = 'sqlite' | 'postgres';
export const ENGINES: EngineName[] = ['sqlite', 'postgres'];

export const onCI = process.env.CI === 'true';

export function postgresUnavailable(): string | null {
  if (process.env.TESSERA_TEST_PG_URL) return null;
  const why = process.env.TESSERA_TEST_PG_ERROR ?? 'no PostgreSQL server was started (run the tests with npm test)';
  return `PostgreSQL tests need a PostgreSQL server: ${why}. Install it with: apt-get install -y postgresql`;
}

/** Options for node:test's test(): skip on a laptop, never on CI (where the test then fails loudly). */
export function engineSkip(engine: EngineName): { skip?: string } {
  if (engine !== 'postgres') return {};
  const why = postgresUnavailable();
  if (!why || onCI) return {};
  return { skip: why };
}

export interface TestDatabase {
  engine: EngineName;
  database: Config['database'];
  /** Removes the database and its files. */
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
    return {
      engine,
      database: { engine: 'sqlite', file: join(dir, 'tessera.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env.TESSERA_TEST_PG_URL;
  if (!adminUrl) throw new Error(postgresUnavailable()!);
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    database: { engine: 'postgres', url: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestStore extends TestDatabase {
  store: Store;
  /** Closes the store and drops the database. */
  close(): Promise<void>;
}

export async function openTestStore(engine: EngineName): Promise<TestStore> {
  const tdb = await createTestDatabase(engine);
  const store = await openStore(tdb.database);
  return {
    ...tdb,
    store,
    async close() {
      await store.close();
      await tdb.drop();
    },
  };
}
