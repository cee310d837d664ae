import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Adapts Node's built-in SQLite to the shape Kysely's SqliteDialect expects.
 * The built-in module needs no native build, so a fresh clone installs with
 * no compiler and no binary download.
 */
export function openSqlite(file: string): SqliteDatabase {
  const db = new DatabaseSync(file);
  // WAL lets the CLI read and write while the server runs; the busy timeout makes
  // a second process wait for the write lock instead of failing at once.
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = NORMAL');
  // Kysely asks for a statement on every query; compiling the same SQL again each
  // time was a measurable share of a token request, so compiled statements are kept.
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = wrap(db.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt); // most recently used last: the first key is the one to evict
      return stmt;
    },
  };
}

const STATEMENT_CACHE_SIZE = 500;

type Param = null | number | bigint | string | NodeJS.ArrayBufferView;

function toParams(parameters: ReadonlyArray<unknown>): Param[] {
  return parameters.map((p) => {
    if (p === undefined) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p instanceof Date) return p.toISOString();
    return p as Param;
  });
}

function wrap(stmt: StatementSync): SqliteStatement {
  return {
    reader: stmt.columns().length > 0,
    all: (parameters) => stmt.all(...toParams(parameters)),
    run: (parameters) => stmt.run(...toParams(parameters)),
    iterate: (parameters) => stmt.iterate(...toParams(parameters)) as IterableIterator<unknown>,
  };
}
