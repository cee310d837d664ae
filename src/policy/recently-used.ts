/**
 * A bounded cache of what recent reads used, for values that are a pure
 * function of their key. Two generations: a value found in the older one
 * moves to the newer; a new round (one whole read) or a full newer one makes
 * the newer the older, and the oldest goes as a whole. A hit changes
 * nothing, so reading the same 200 documents again after a change allocates
 * nothing here; at most twice `limit` values are ever kept, and only what
 * the last two rounds used, so a burst of changes leaves little to copy in
 * the young generation.
 */
export class RecentlyUsed<K, V> {
  #current = new Map<K, V>();
  #previous = new Map<K, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: K, make: (key: K) => V): V {
    const hit = this.#current.get(key);
    if (hit !== undefined) return hit;
    const value = this.#previous.get(key) ?? make(key);
    this.#current.set(key, value);
    if (this.#current.size >= this.#limit) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    return value;
  }

  /** Starts a round: what the one before used stays only while this one asks for it. */
  nextRound(): void {
    this.#previous = this.#current;
    this.#current = new Map();
  }
}
