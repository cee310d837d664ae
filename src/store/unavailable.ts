/**
 * Whether an error means the store cannot be reached right now — PostgreSQL
 * down, restarting or out of connections, the network to it cut, SQLite's write
 * lock held past the busy timeout or its file unreadable — rather than a bug or
 * bad data. Such a request is worth repeating in a moment, so it is answered
 * 503 with Retry-After (as /readyz says) instead of 500.
 */
export const STORE_RETRY_AFTER_SECONDS = 5;

const NETWORK = new Set(['ENOSPC', 'EROFS', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// PostgreSQL SQLSTATE: class 08 (connection exceptions), 57P01–57P03 (shutting down, starting up),
// 53300 (too many connections), 53100 (its disk is full), 25006 (the server is read-only, e.g. a standby).
const POSTGRES = /^(08[0-9A-Z]{3}|57P0[123]|53300|53100|25006)$/;
// What node-postgres says when the server goes away under it or never answers.
const POSTGRES_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
// SQLite primary result codes: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
const SQLITE = new Set([5, 6, 8, 10, 13, 14]);
const SQLITE_READONLY = 8;
const SQLITE_FULL = 13;

const UNREACHABLE = 'the database cannot be reached';

type ErrorLike = { code?: unknown; errcode?: unknown; message?: unknown; cause?: unknown; errors?: unknown };

/** What this one error (not its causes) says about the store, in words for the operator's log; null: nothing. */
function ownProblem(e: ErrorLike): string | null {
  const sqlite = e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' ? e.errcode & 0xff : null;
  if (sqlite === SQLITE_FULL || e.code === 'ENOSPC') return 'the disk holding the data directory is full: free space there; writes resume by themselves';
  if (sqlite === SQLITE_READONLY || e.code === 'EROFS') return 'the data directory is read-only: make it writable again; writes resume by themselves';
  if (e.code === '53100') return 'the PostgreSQL server\'s disk is full';
  if (e.code === '25006') return 'the PostgreSQL server takes no writes (a read-only server or standby)';
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || POSTGRES.test(e.code))) return UNREACHABLE;
  if (sqlite !== null && SQLITE.has(sqlite)) return UNREACHABLE;
  if (typeof e.message === 'string' && POSTGRES_MESSAGES.test(e.message)) return UNREACHABLE;
  return null;
}

/** The error, or one it wraps (an AggregateError's errors, a cause), that means the store cannot be used now. */
function storeProblem(err: unknown, depth = 0): string | null {
  if (!err || typeof err !== 'object' || depth > 4) return null;
  const e = err as ErrorLike;
  const own = ownProblem(e);
  if (own) return own;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = storeProblem(inner, depth + 1);
      if (found) return found;
    }
  }
  return storeProblem(e.cause, depth + 1);
}

export function isStoreUnavailable(err: unknown): boolean {
  return storeProblem(err) !== null;
}

/** Why the store cannot be used, in words for the operator's log: one line that says what to fix. */
export function storeTrouble(err: unknown): string {
  return storeProblem(err) ?? UNREACHABLE;
}
