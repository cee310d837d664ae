import type { Db, Store, Tx } from './store.ts';

/**
 * Group commit for small independent writes on the embedded database. SQLite
 * commits one transaction at a time and each commit is a write to its log;
 * under load (a burst of token requests) most of an insert's cost is that
 * commit. Writes submitted in the same turn of the event loop are therefore
 * committed together, in one transaction, in the order they were submitted.
 * Each caller's promise still settles only after its write is committed, so
 * nothing is acknowledged before it is durable.
 *
 * PostgreSQL gets no batching: its pool runs writes side by side already.
 */
export class WriteBatcher<T> {
  readonly #store: Store;
  readonly #write: (db: Db | Tx, item: T) => Promise<void>;
  #queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  #scheduled = false;

  constructor(store: Store, write: (db: Db | Tx, item: T) => Promise<void>) {
    this.#store = store;
    this.#write = write;
  }

  submit(item: T): Promise<void> {
    if (this.#store.engine !== 'sqlite') return this.#write(this.#store.db, item);
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    if (batch.length === 1) {
      const only = batch[0]!;
      return this.#write(this.#store.db, only.item).then(only.resolve, only.reject);
    }
    try {
      await this.#store.db.transaction().execute(async (trx) => {
        for (const w of batch) await this.#write(trx, w.item);
      });
      for (const w of batch) w.resolve();
    } catch {
      // One bad write must not fail its neighbours: each is tried again on its own.
      for (const w of batch) await this.#write(this.#store.db, w.item).then(w.resolve, w.reject);
    }
  }
}
