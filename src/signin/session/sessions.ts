import type { Db, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
import { issueToken, parseToken, secretMatches } from '../../app/opaque-token.ts';
import type { IdpSessionsTable } from '../tables.ts';
import { reachedStrength, type MethodUse } from '../../policy/strengths.ts';
import { amrForUses } from '../strength-requirement.ts';

/**
 * The identity provider's own session: what lets a person reach a second app
 * without signing in again, and what the self-service portal runs on. Stored
 * server-side (any node can read it), the cookie holds only an opaque token.
 * It ends at the first of: idle timeout, absolute timeout, sign-out, revocation.
 */
export const SESSION_TOKEN_PREFIX = 'tss';
/** Writing last_seen on every request would make every page view a write. */
const TOUCH_INTERVAL_MS = 60_000;

export interface IdpSession {
  id: string;
  userId: string;
  amr: string[];
  acr: string;
  authTime: Date;
  mfaAt: Date | null;
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  /** The strongest authentication strength reached, null below MFA. */
  strength: string | null;
  /** The methods the session rests on, with their properties (empty for sessions older than this record). */
  methodUses: MethodUse[];
}

export interface SessionTimeouts {
  idleSeconds: number;
  absoluteSeconds: number;
}

function toSession(row: IdpSessionsTable): IdpSession {
  return {
    id: row.id,
    userId: row.user_id,
    amr: JSON.parse(row.amr) as string[],
    acr: row.acr,
    authTime: new Date(row.auth_time),
    mfaAt: row.mfa_at ? new Date(row.mfa_at) : null,
    createdAt: new Date(row.created_at),
    idleExpiresAt: new Date(row.idle_expires_at),
    absoluteExpiresAt: new Date(row.absolute_expires_at),
    strength: row.strength ?? null,
    methodUses: row.method_uses ? (JSON.parse(row.method_uses) as MethodUse[]) : [],
  };
}

export interface NewSession {
  userId: string;
  amr: string[];
  acr: string;
  mfa: boolean;
  ip?: string | null;
  userAgent?: string | null;
  /** A session started with a Temporary Access Pass may not outlive the pass. */
  notAfter?: Date;
  strength?: string | null;
  methodUses?: MethodUse[];
}

export async function createSession(
  db: Db | Tx,
  input: NewSession,
  timeouts: SessionTimeouts,
  now = new Date(),
): Promise<{ token: string; session: IdpSession }> {
  const issued = issueToken(SESSION_TOKEN_PREFIX);
  let absolute = new Date(now.getTime() + timeouts.absoluteSeconds * 1000);
  if (input.notAfter && input.notAfter < absolute) absolute = input.notAfter;
  const idle = new Date(Math.min(now.getTime() + timeouts.idleSeconds * 1000, absolute.getTime()));
  const row: IdpSessionsTable = {
    id: issued.id,
    secret_hash: issued.secretHash,
    user_id: input.userId,
    amr: JSON.stringify(input.amr),
    acr: input.acr,
    auth_time: now.toISOString(),
    mfa_at: input.mfa ? now.toISOString() : null,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    idle_expires_at: idle.toISOString(),
    absolute_expires_at: absolute.toISOString(),
    revoked_at: null,
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    strength: input.strength ?? null,
    method_uses: JSON.stringify(input.methodUses ?? []),
  };
  await db.insertInto('idp_sessions').values(row).execute();
  return { token: issued.token, session: toSession(row) };
}

/** Returns the live session a cookie names, sliding its idle expiry; null if it is gone or over. */
// Every request with a session cookie reads these: compiled once (src/store/compiled.ts).
const sessionById = compiled((db, id: string) => db.selectFrom('idp_sessions').selectAll().where('id', '=', id));
const statusOfUser = compiled((db, id: string) => db.selectFrom('users').select('status').where('id', '=', id));

export async function loadSession(
  db: Db,
  token: string | undefined,
  timeouts: SessionTimeouts,
  now = new Date(),
): Promise<IdpSession | null> {
  if (!token) return null;
  const parsed = parseToken(SESSION_TOKEN_PREFIX, token);
  if (!parsed) return null;
  const row = await first(sessionById(db, parsed.id));
  if (!row || !secretMatches(parsed.secret, row.secret_hash) || row.revoked_at) return null;
  const iso = now.toISOString();
  if (row.idle_expires_at <= iso || row.absolute_expires_at <= iso) return null;
  const user = await first(statusOfUser(db, row.user_id));
  if (!user || user.status !== 'active') return null;
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
    const idle = new Date(Math.min(now.getTime() + timeouts.idleSeconds * 1000, new Date(row.absolute_expires_at).getTime()));
    row.idle_expires_at = idle.toISOString();
    await db
      .updateTable('idp_sessions')
      .set({ last_seen_at: iso, idle_expires_at: row.idle_expires_at })
      .where('id', '=', row.id)
      .execute();
  }
  return toSession(row);
}

/**
 * A method registered from inside a live session proved possession of the new
 * authenticator (a correct code, a WebAuthn ceremony), as the registration
 * interrupt of a sign-in does: it joins the methods the session rests on, so
 * the access decision counts it from the next request on.
 */
export async function addProvenMethod(db: Db | Tx, session: IdpSession, use: MethodUse, now = new Date()): Promise<void> {
  const at = now.toISOString();
  const uses = [...session.methodUses.filter((u) => u.method !== use.method), { ...use, at }];
  const amr = amrForUses(uses);
  const { acr, strength } = reachedStrength(uses);
  await db
    .updateTable('idp_sessions')
    .set({ method_uses: JSON.stringify(uses), amr: JSON.stringify(amr), acr, strength, ...(amr.includes('mfa') ? { mfa_at: at } : {}) })
    .where('id', '=', session.id)
    .execute();
}

export async function revokeSession(db: Db | Tx, id: string, now = new Date()): Promise<void> {
  await db.updateTable('idp_sessions').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Ends the user's live sessions (all but `keep` when given); returns how many were ended. */
export async function revokeAllSessions(db: Db | Tx, userId: string, now = new Date(), keep?: string): Promise<number> {
  let q = db.updateTable('idp_sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId);
  if (keep) q = q.where('id', '!=', keep);
  const res = await q
    .where('revoked_at', 'is', null)
    .where('absolute_expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<void> {
  // Kept a day past their end so "where was I signed in" still shows recent ones.
  const cutoff = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
  await db.deleteFrom('idp_sessions').where('absolute_expires_at', '<', cutoff).execute();
}

export interface LiveSession {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  strength: string | null;
  methods: string[];
}

/** A person's sessions that are still live, newest first: what the helpdesk sees before ending them. */
export async function listLiveSessions(db: Db | Tx, userId: string, now = new Date()): Promise<LiveSession[]> {
  const iso = now.toISOString();
  const rows = await db.selectFrom('idp_sessions').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', iso).where('absolute_expires_at', '>', iso).orderBy('created_at', 'desc').limit(100).execute();
  return rows.map((r) => ({
    id: r.id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.idle_expires_at < r.absolute_expires_at ? r.idle_expires_at : r.absolute_expires_at,
    ip: r.ip, userAgent: r.user_agent, strength: r.strength ?? null, methods: toSession(r).methodUses.map((u) => u.method),
  }));
}
