/**
 * Whether an error means the store cannot be reached right now — PostgreSQL
 * down, restarting or out of connections, the network to it cut, SQLite's write
 * lock held past the busy timeout or its file unreadable — rather than a bug or
 * bad data. Such a request is worth repeating in a moment, so it is answered
 * 503 with Retry-After (as /readyz says) instead of 500.
 */
export const STORE_RETRY_AFTER_SECONDS = 5;

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// PostgreSQL SQLSTATE: class 08 (connection exceptions), 57P01–57P03 (shutting down, starting up), 53300 (too many connections).
const POSTGRES = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
// What node-postgres says when the server goes away under it or never answers.
const POSTGRES_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
// SQLite primary result codes: BUSY, LOCKED, IOERR, CANTOPEN.
const SQLITE = new Set([5, 6, 10, 14]);

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || POSTGRES.test(e.code))) return true;
  if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && SQLITE.has(e.errcode & 0xff)) return true;
  if (typeof e.message === 'string' && POSTGRES_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isStoreUnavailable(inner, depth + 1))) return true;
  return isStoreUnavailable(e.cause, depth + 1);
}
