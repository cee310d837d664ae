import type { Db } from './store.ts';

/**
 * A cheap "may the configuration have changed?" for caches of it
 * (src/policy/store/config-snapshot.ts), so that they need not ask the
 * database on every request.
 *
 * On SQLite it is two numbers. PRAGMA data_version moves whenever another
 * connection (a worker process, the CLI, a second store in one process)
 * commits, and costs a microsecond, not a query. It does not move for this
 * connection's own commits, so every audited change made here (and every
 * change to the configuration is audited) also bumps a local count — at the
 * start of its transaction, which holds SQLite's only connection until it
 * commits, so a cache that sees the new count and asks the database reads
 * after that commit.
 *
 * PostgreSQL has no such signal on a pool of connections: there the stamp is
 * null and the cache asks the database every time.
 */
interface SqliteStamp {
  dataVersion: () => number;
  local: number;
}

const stamps = new WeakMap<Db, SqliteStamp>();

/** Called once by openStore for a SQLite store. */
export function registerSqliteStamp(db: Db, dataVersion: () => number): void {
  stamps.set(db, { dataVersion, local: 0 });
}

/** Called by auditedChange inside its transaction, before anything is written. */
export function noteLocalChange(db: Db): void {
  const stamp = stamps.get(db);
  if (stamp) stamp.local++;
}

/** Equal to an earlier stamp only if nothing that could change the configuration was committed in between; null: unknown. */
export function changeStamp(db: Db): string | null {
  const stamp = stamps.get(db);
  return stamp ? `${stamp.dataVersion()}:${stamp.local}` : null;
}
