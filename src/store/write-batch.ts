import type { Db, Store, Tx } from './store.ts';

/**
 * Group commit for small independent writes. Under load (a burst of token
 * requests) most of an insert's cost is not the row but the statement and its
 * commit: SQLite commits one transaction at a time, each a write to its log;
 * PostgreSQL pays a round trip and a transaction per statement. Writes
 * submitted in the same turn of the event loop are therefore handed to
 * writeMany together, which writes them in one statement, in submission
 * order. Each caller's promise settles only after that statement has
 * committed, so nothing is acknowledged before it is durable.
 */
export class WriteBatcher<T> {
  readonly #store: Store;
  readonly #writeMany: (db: Db | Tx, items: readonly T[]) => Promise<void>;
  /** Writes waiting for the next flush; not empty exactly while a flush is scheduled. */
  #queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  /** Batches waiting for their turn or being written; each settles when its writes are done. */
  readonly #unfinished = new Set<Promise<void>>();

  constructor(store: Store, writeMany: (db: Db | Tx, items: readonly T[]) => Promise<void>) {
    this.#store = store;
    this.#writeMany = writeMany;
  }

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#queue.push({ item, resolve, reject }) === 1) {
        const done: Promise<void> = new Promise<void>((settle) => setImmediate(() => void this.#flush().finally(settle)));
        this.#unfinished.add(done);
        void done.then(() => this.#unfinished.delete(done));
      }
    });
  }

  /**
   * Resolves once every write submitted so far is done (committed or failed).
   * A delete or update of rows these writes may touch waits for this first,
   * so it cannot be overtaken by a write that was submitted before it.
   * Never call it inside a transaction: on SQLite the batch needs the connection.
   */
  async settled(): Promise<void> {
    await Promise.all([...this.#unfinished]);
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    const db = this.#store.db;
    try {
      await this.#writeMany(db, batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One bad write must not fail its neighbours: each is tried again on its own.
      for (const w of batch) await this.#writeMany(db, [w.item]).then(w.resolve, w.reject);
    }
  }
}
