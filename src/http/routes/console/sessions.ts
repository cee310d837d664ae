import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../../config/config.ts';
import { deriveSubkey } from '../../../config/subkeys.ts';
import type { Db } from '../../../store/store.ts';
import { issueToken, parseToken, secretMatches } from '../../../app/opaque-token.ts';
import type { ConsoleSessionsTable } from './tables.ts';

/**
 * Console sessions: what a console cookie names. Each rests on the Tessera
 * session the person signed in with (ending that ends this) and carries its
 * own last-activity time, which the access decision compares with a policy's
 * idle limit. The cookie's secret is stored as a hash; the CSRF token is an
 * HMAC of the session id under a key derived from the master key, so every
 * tab and every node computes the same one and nothing more is stored.
 */
export const CONSOLE_TOKEN_PREFIX = 'tcn';
/** last_seen_at is written at most this often: far below any idle limit a policy can set (1 minute). */
const TOUCH_MS = 15_000;

export interface ConsoleSession {
  id: string;
  userId: string;
  idpSessionId: string;
  createdAt: Date;
  lastSeenAt: Date;
}

function toSession(row: ConsoleSessionsTable): ConsoleSession {
  return { id: row.id, userId: row.user_id, idpSessionId: row.idp_session_id, createdAt: new Date(row.created_at), lastSeenAt: new Date(row.last_seen_at) };
}

export async function createConsoleSession(
  db: Db, input: { userId: string; idpSessionId: string; ip: string }, now = new Date(),
): Promise<{ token: string; session: ConsoleSession }> {
  const issued = issueToken(CONSOLE_TOKEN_PREFIX);
  const row: ConsoleSessionsTable = {
    id: issued.id, secret_hash: issued.secretHash, user_id: input.userId, idp_session_id: input.idpSessionId,
    created_at: now.toISOString(), last_seen_at: now.toISOString(), ended_at: null, ip: input.ip.slice(0, 64),
  };
  await db.insertInto('console_sessions').values(row).execute();
  return { token: issued.token, session: toSession(row) };
}

/** The live console session a cookie names, or null. */
export async function findConsoleSession(db: Db, token: string | undefined): Promise<ConsoleSession | null> {
  const parsed = token ? parseToken(CONSOLE_TOKEN_PREFIX, token) : null;
  if (!parsed) return null;
  const row = await db.selectFrom('console_sessions').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  if (!row || row.ended_at || !secretMatches(parsed.secret, row.secret_hash)) return null;
  return toSession(row);
}

const csrfKeys = new WeakMap<Config, Buffer>();

/** The CSRF token of a console session: the page sends it back in a header on every change. */
export function csrfToken(config: Config, sessionId: string): string {
  let key = csrfKeys.get(config);
  if (!key) csrfKeys.set(config, (key = deriveSubkey(config, 'console-csrf')));
  return createHmac('sha256', key).update(sessionId).digest('base64url');
}

export function csrfMatches(config: Config, sessionId: string, presented: string | undefined): boolean {
  if (typeof presented !== 'string' || presented.length > 128) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(csrfToken(config, sessionId));
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function touchConsoleSession(db: Db, session: ConsoleSession, now = new Date()): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < TOUCH_MS) return;
  await db.updateTable('console_sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', session.id).execute();
}

export async function endConsoleSession(db: Db, id: string, now = new Date()): Promise<void> {
  await db.updateTable('console_sessions').set({ ended_at: now.toISOString() }).where('id', '=', id).where('ended_at', 'is', null).execute();
}
