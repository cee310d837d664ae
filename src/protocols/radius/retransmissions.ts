import type { Request } from './packet.ts';

/**
 * A NAS that hears nothing sends the same Access-Request again (same
 * identifier, same Request Authenticator). Each request is worked out once:
 * a resend while it is still being answered gets no second answer (the first
 * one will do), a resend after it gets the same reply again. Entries last
 * half a minute, longer than any NAS retries; the map is bounded.
 */
const KEEP_MS = 30_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  at: number;
  reply: Promise<Buffer | null>;
  done: boolean;
}

export class Retransmissions {
  readonly #entries = new Map<string, Entry>();

  async once(peer: string, request: Request, answer: () => Promise<Buffer>): Promise<Buffer | null> {
    const key = `${peer}/${request.identifier}/${request.authenticator.toString('hex')}`;
    const now = Date.now();
    const seen = this.#entries.get(key);
    if (seen && now - seen.at < KEEP_MS) return seen.done ? seen.reply : null;
    this.#sweep(now);
    const entry: Entry = { at: now, done: false, reply: Promise.resolve(null) };
    entry.reply = answer().then(
      (r) => {
        entry.done = true;
        return r;
      },
      (err: unknown) => {
        // A failure is not remembered: the NAS's resend gets a fresh try.
        this.#entries.delete(key);
        throw err;
      },
    );
    this.#entries.set(key, entry);
    return entry.reply;
  }

  #sweep(now: number): void {
    if (this.#entries.size < MAX_ENTRIES) {
      const first = this.#entries.entries().next().value;
      if (!first || now - first[1].at < KEEP_MS) return;
    }
    // Insertion order is age order: drop from the front until the oldest is fresh (and the map has room).
    for (const [key, e] of this.#entries) {
      if (now - e.at < KEEP_MS && this.#entries.size < MAX_ENTRIES) break;
      this.#entries.delete(key);
    }
  }
}
