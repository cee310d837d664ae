import pg from 'pg';

/**
 * A PostgreSQL connection that prepares each statement it runs once and runs
 * it by name from then on. Parsing and planning the small statements of a
 * sign-in or a token request cost the server more CPU than running them (the
 * configuration-version check: about 80 µs planned afresh, 35 µs prepared),
 * and the store uses a few hundred distinct statements, each built by Kysely
 * from one template, so the same text comes back all the time.
 *
 * Prepared statements belong to one connection: each keeps its own names, at
 * most MAX_NAMED of them; statements beyond that (an admin query with an
 * unusual IN list) run unnamed as before. Only plain data statements are
 * named; transaction control and schema changes run as they are. A migration
 * run by another node can change a table's columns under a prepared
 * "select *"; PostgreSQL then refuses the old plan once, and the statement is
 * run unnamed and prepared afresh under a new name.
 */
const MAX_NAMED = 400;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;
/** SQLSTATE 0A000 with this message: the plan's result columns no longer match the table. */
const STALE_PLAN = 'cached plan must not change result type';

type Run = (...args: unknown[]) => unknown;

export class PreparingClient extends pg.Client {
  readonly #names = new Map<string, string>();
  #next = 0;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // pg's query() has a dozen overloads; Kysely calls the (text, values) one, the one named here.
    const plain = super.query.bind(this) as Run;
    (this as unknown as { query: Run }).query = (...args) => this.#run(plain, args);
  }

  #run(plain: Run, args: unknown[]): unknown {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || !DATA_STATEMENT.test(text)) return plain(...args);
    const name = this.#nameFor(text);
    if (!name) return plain(...args);
    return (plain({ name, text, values }) as Promise<pg.QueryResult>).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.includes(STALE_PLAN)) throw err;
      this.#names.delete(text);
      return plain(text, values);
    });
  }

  #nameFor(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known || this.#names.size >= MAX_NAMED) return known;
    const name = `tessera_${this.#next++}`;
    this.#names.set(text, name);
    return name;
  }
}
