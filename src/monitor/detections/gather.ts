import type { Db, Tx } from '../../store/store.ts';
import type { SigninLogTable } from '../signin-log.ts';
import { sha256 } from '../../app/opaque-token.ts';
import type { AuditFact, LogFact } from './model.ts';
import { DAY } from './model.ts';
import type { Report } from './events.ts';

/**
 * Reading what the detections look at. Each query is bounded: a scan handles
 * at most BATCH new rows, and the window behind them at most WINDOW_ROWS.
 */
export const BATCH = 2000;
const WINDOW_ROWS = 50_000;
const HISTORY_ROWS = 200;
const DISTINCT_ROWS = 1000;

type Row = Pick<SigninLogTable, 'id' | 'at' | 'user_id' | 'username' | 'ip' | 'client_id' | 'user_agent' | 'result' | 'reason'>;
const COLUMNS = ['id', 'at', 'user_id', 'username', 'ip', 'client_id', 'user_agent', 'result', 'reason'] as const;

function toFact(r: Row): LogFact {
  // A typed name that matches no account is kept only as its hash: it may be a password typed in the wrong box.
  const account = r.user_id ? `user:${r.user_id}` : r.username ? `name:${sha256(r.username.trim().toLowerCase()).slice(0, 32)}` : null;
  return {
    id: r.id, at: r.at, userId: r.user_id, account, username: r.username, ip: r.ip, clientId: r.client_id,
    userAgent: r.user_agent, result: r.result, reason: r.reason,
  };
}

export interface SigninCursor {
  at: string;
  id: string;
}

/** Sign-in log rows after the cursor (time, then id) and not newer than `until`, oldest first. */
export async function readNewSignins(db: Db | Tx, after: SigninCursor, until: string): Promise<LogFact[]> {
  const rows = await db.selectFrom('signin_log').select(COLUMNS)
    .where((eb) => eb.or([eb('at', '>', after.at), eb.and([eb('at', '=', after.at), eb('id', '>', after.id)])]))
    .where('at', '<=', until)
    .orderBy('at').orderBy('id').limit(BATCH).execute();
  return rows.map(toFact);
}

/** Every row in (from, to], oldest first: the windows of the counting detections. */
export async function readWindow(db: Db | Tx, from: string, to: string): Promise<LogFact[]> {
  const rows = await db.selectFrom('signin_log').select(COLUMNS)
    .where('at', '>', from).where('at', '<=', to)
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(WINDOW_ROWS).execute();
  return rows.reverse().map(toFact);
}

/**
 * A person's successful sign-ins from `from` up to (not including) the row
 * `before`, or up to and including the time `before`; oldest first. The
 * newest rows as they are (the last place they were), and beyond them one
 * row per address, browser and kind of sign-in (every country and device
 * they used), so a busy account's older places are not forgotten.
 */
export async function readHistory(db: Db | Tx, userId: string, from: string, before: SigninCursor | string): Promise<LogFact[]> {
  const base = db.selectFrom('signin_log')
    .where('user_id', '=', userId).where('result', '=', 'success').where('at', '>=', from)
    .where((eb) => typeof before === 'string'
      ? eb('at', '<=', before)
      : eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  const newest = await base.select(COLUMNS).orderBy('at', 'desc').orderBy('id', 'desc').limit(HISTORY_ROWS).execute();
  if (newest.length < HISTORY_ROWS) return newest.reverse().map(toFact);
  const places = await base
    .select((eb) => [eb.fn.min('id').as('id'), eb.fn.min('at').as('at'), 'ip', 'user_agent', 'reason'])
    .groupBy(['ip', 'user_agent', 'reason']).limit(DISTINCT_ROWS).execute();
  const older = places.map((p) => ({ ...p, at: String(p.at), id: String(p.id), user_id: userId, username: null, client_id: null, result: 'success' as const }));
  return [...older, ...newest].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map(toFact);
}

/** A person's "this wasn't me" reports in [from, to]: confirmed links and pushes denied as not theirs. */
export async function readReports(db: Db | Tx, userId: string, from: string, to: string): Promise<Report[]> {
  const links = await db.selectFrom('report_links').select('used_at')
    .where('user_id', '=', userId).where('used_at', '>=', from).where('used_at', '<=', to).execute();
  const pushes = await db.selectFrom('signin_log').select('at')
    .where('user_id', '=', userId).where('reason', '=', 'push_reported_not_me').where('at', '>=', from).where('at', '<=', to).execute();
  return [...links.map((l) => ({ at: l.used_at!, how: 'link' as const })), ...pushes.map((p) => ({ at: p.at, how: 'push' as const }))];
}

/** Audit entries after `seq`, in order. */
export async function readNewAudit(db: Db | Tx, seq: number): Promise<AuditFact[]> {
  const rows = await db.selectFrom('audit_log').select(['seq', 'at', 'actor', 'action', 'target', 'after_json'])
    .where('seq', '>', seq).orderBy('seq').limit(BATCH).execute();
  return rows.map((r) => ({
    seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action,
    userId: r.target?.startsWith('user:') ? r.target.slice(5) : null,
    after: r.after_json ? (JSON.parse(r.after_json) as Record<string, unknown>) : null,
  }));
}

export interface Person {
  username: string;
  email: string | null;
  displayName: string;
}

export async function peopleOf(db: Db | Tx, ids: readonly string[]): Promise<Map<string, Person>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username', 'email', 'display_name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { username: r.username, email: r.email, displayName: r.display_name ?? r.username }]));
}

export const daysBefore = (iso: string, days: number): string => new Date(new Date(iso).getTime() - days * DAY).toISOString();
