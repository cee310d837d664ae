import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db, Tx } from './store.ts';

/** A value a compiled query can take: what the drivers bind. */
export type Bindable = string | number | bigint | null | Uint8Array;

/**
 * A small query on every sign-in's path, built and compiled once per database
 * kind and then run with each call's values. Building and compiling a Kysely
 * query costs more CPU than SQLite spends running such a lookup, and a
 * sign-in runs dozens of them.
 *
 * `build` is called once, with a marker in place of each argument, so it must
 * use every argument as a plain value (no branching on it, no arithmetic, no
 * formatting); the first call checks that every marker reached the compiled
 * parameters and throws otherwise. Constants written in `build` stay as they are.
 */
export function compiled<Args extends readonly Bindable[], Row>(
  build: (db: Db | Tx, ...args: Args) => Compilable<Row>,
): (db: Db | Tx, ...args: Args) => Promise<QueryResult<Row>> {
  const byDialect = new WeakMap<object, { query: CompiledQuery<Row>; slots: (number | null)[] }>();
  return async (db, ...args) => {
    const dialect = dialectKey(db);
    let entry = dialect ? byDialect.get(dialect) : undefined;
    if (!entry) {
      entry = compileWithMarkers(db, build, args.length);
      if (dialect) byDialect.set(dialect, entry);
    }
    const { query, slots } = entry;
    const parameters = slots.map((slot, i) => (slot === null ? query.parameters[i] : args[slot]));
    return db.executeQuery<Row>({ ...query, parameters });
  };
}

/** Runs a compiled select and returns its first row. */
export async function first<Row>(result: Promise<QueryResult<Row>>): Promise<Row | undefined> {
  return (await result).rows[0];
}

// Mixed case and control characters, so that a transformed argument (case, trim, JSON) no longer matches.
const MARK = ' \u0000Tessera-Argument-';

function compileWithMarkers<Args extends readonly Bindable[], Row>(db: Db | Tx, build: (db: Db | Tx, ...args: Args) => Compilable<Row>, arity: number) {
  const markers = Array.from({ length: arity }, (_, i) => `${MARK}${i}\u0000`);
  const query = build(db, ...(markers as unknown as Args)).compile();
  const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length, -1)) : null));
  for (let i = 0; i < arity; i++) {
    if (!slots.includes(i)) throw new Error(`compiled query: argument ${i} is not a plain parameter of ${query.sql}`);
  }
  return { query, slots };
}

/**
 * What the compiled form depends on: the database's adapter (one per store,
 * shared by its transactions). Kysely keeps it on its executor; if that ever
 * changes, queries are simply compiled on every call.
 */
function dialectKey(db: Db | Tx): object | undefined {
  const executor = (db as unknown as { getExecutor?: () => { adapter?: object } }).getExecutor?.();
  return executor?.adapter;
}
