import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type { Config } from '../config/config.ts';
import { openSqlite } from './sqlite-driver.ts';
import { registerSqliteStamp } from './change-stamp.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface Store {
  readonly db: Db;
  readonly engine: Engine;
  /**
   * Runs fn in a transaction that no other writer of the same lock name can
   * interleave with, across processes: PostgreSQL takes an advisory lock,
   * SQLite takes the database write lock up front (BEGIN IMMEDIATE).
   */
  serialized<T>(lockName: string, fn: (trx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(
  database: Config['database'],
  options: { migrate?: boolean } = {},
): Promise<Store> {
  let db: Db;
  if (database.engine === 'sqlite') {
    mkdirSync(dirname(database.file), { recursive: true, mode: 0o700 });
    const opened = openSqlite(database.file);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: opened.database }) });
    registerSqliteStamp(db, opened.dataVersion);
  } else {
    // Loaded only for PostgreSQL: a server on the embedded store never needs the driver.
    const { default: pg } = await import('pg');
    const { PreparingClient } = await import('./pg-client.ts');
    // pg returns int8 as strings; counts and sequence numbers here fit in a JS number.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    // Each connection prepares the statements it runs (src/store/pg-client.ts).
    const pool = new pg.Pool({ connectionString: database.url, max: 10, Client: PreparingClient });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    // Nor may a client in use: after its query has failed (and the request has its answer, 503),
    // it also emits 'error', and pg-pool listens only while the client is idle.
    pool.on('connect', (client) => client.on('error', () => {}));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const store = makeStore(db, database.engine);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store);
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  return store;
}

function makeStore(db: Db, engine: Engine): Store {
  return {
    db,
    engine,
    async serialized(lockName, fn) {
      if (engine === 'postgres') {
        return db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext(${lockName}))`.execute(trx);
          return fn(trx);
        });
      }
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          // Kysely has no public constructor for a Transaction over a raw connection;
          // the connection already runs inside our transaction, so its queries are ours.
          const result = await fn(conn as unknown as Tx);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw err;
        }
      });
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
