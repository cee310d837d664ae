import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Kysely's view of the database, and PRAGMA data_version for src/store/change-stamp.ts. */
export interface OpenedSqlite {
  database: SqliteDatabase;
  dataVersion: () => number;
}

/**
 * Adapts Node's built-in SQLite to the shape Kysely's SqliteDialect expects.
 * The built-in module needs no native build, so a fresh clone installs with
 * no compiler and no binary download.
 */
export function openSqlite(file: string): OpenedSqlite {
  keepPrivate(file);
  const db = new DatabaseSync(file);
  // The busy timeout makes a second process wait for a lock instead of failing at
  // once; it comes first, since switching to WAL itself needs a lock another
  // process starting at the same moment may hold. WAL lets the CLI read and write
  // while the server runs.
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = NORMAL');
  // Kysely asks for a statement on every query; compiling the same SQL again each
  // time was a measurable share of a token request, so compiled statements are kept.
  const cache = new Map<string, SqliteStatement>();
  const version = db.prepare('PRAGMA data_version');
  const dataVersion = () => Number((version.get() as { data_version: number | bigint }).data_version);
  const database: SqliteDatabase = {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(text: string) {
      // Kysely opens every transaction with a plain (deferred) BEGIN. A deferred
      // transaction that reads, then writes, fails at once with SQLITE_BUSY when
      // another process wrote in between: the busy timeout cannot help it. Taking
      // the write lock up front makes writers of several processes (workers, the
      // CLI) queue on the busy timeout instead.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sql === 'rollback' ? rollbackOf(db) : wrap(db.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt); // most recently used last: the first key is the one to evict
      return stmt;
    },
  };
  return { database, dataVersion };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * The database holds sessions, hashes and sealed secrets: only the server's own
 * user may read it. SQLite creates the -wal and -shm files with the mode of the
 * database file, so creating that one 0600 (before SQLite would create it with
 * the umask's 0644) covers all three. Files and a data directory left readable
 * by older versions are tightened on open.
 */
function keepPrivate(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) tighten(path, 0o600);
}

function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

type Param = null | number | bigint | string | NodeJS.ArrayBufferView;

function toParams(parameters: ReadonlyArray<unknown>): Param[] {
  return parameters.map((p) => {
    if (p === undefined) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p instanceof Date) return p.toISOString();
    return p as Param;
  });
}

/**
 * SQLite itself rolls a transaction back when a write fails with a full disk
 * (or an I/O error); the caller's ROLLBACK that follows would then fail with
 * "no transaction is active" and hide the real error, the one that says the
 * disk is full. A ROLLBACK with nothing to roll back is therefore a no-op.
 */
function rollbackOf(db: DatabaseSync): SqliteStatement {
  return {
    reader: false,
    all: () => [],
    run: () => (db.isTransaction ? db.prepare('rollback').run() : { changes: 0, lastInsertRowid: 0 }),
    iterate: () => [][Symbol.iterator](),
  };
}

function wrap(stmt: StatementSync): SqliteStatement {
  return {
    reader: stmt.columns().length > 0,
    all: (parameters) => stmt.all(...toParams(parameters)),
    run: (parameters) => stmt.run(...toParams(parameters)),
    iterate: (parameters) => stmt.iterate(...toParams(parameters)) as IterableIterator<unknown>,
  };
}
