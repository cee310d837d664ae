import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../store/store.ts';

/**
 * One row per sign-in attempt, whatever its outcome: every failed factor, every
 * lock, every success. Reason codes are stable identifiers that detections,
 * reports and the admin console key on; never a secret or a typed code.
 */
export interface SigninLogTable {
  id: string;
  at: string;
  user_id: string | null;
  /** What was typed, kept for failed sign-ins of unknown names (spray detection). */
  username: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  methods_tried: string;
  methods_used: string;
  result: 'success' | 'failure' | 'locked' | 'interrupted';
  reason: string;
  transaction_id: string | null;
  /** JSON: what report-only policies would have done (filled by conditional access). */
  report_only: string | null;
  /** JSON: what each enforced policy that applied did (its effect and what was missing). */
  policies?: string | null;
  /** On success: the strongest authentication strength reached. */
  strength?: string | null;
}

export interface SigninLogTables {
  signin_log: SigninLogTable;
}

export type SigninResult = SigninLogTable['result'];

export interface SigninLogEntry {
  userId?: string | null;
  username?: string | null;
  clientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  methodsTried?: string[];
  methodsUsed?: string[];
  result: SigninResult;
  reason: string;
  transactionId?: string | null;
  reportOnly?: unknown;
  policies?: unknown;
  /** On success: the strongest authentication strength reached. */
  strength?: string | null;
  at?: Date;
}

export interface SigninLogRow {
  id: string;
  at: string;
  userId: string | null;
  username: string | null;
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
  methodsTried: string[];
  methodsUsed: string[];
  result: SigninResult;
  reason: string;
  transactionId: string | null;
  reportOnly: unknown;
  policies: unknown;
  strength: string | null;
}

/** Told of every row written (metrics count sign-in outcomes); an observer must not throw. */
export type SigninObserver = (entry: SigninLogEntry) => void;
const observers = new Set<SigninObserver>();

/** Adds an observer; the function returned removes it. */
export function observeSignins(observer: SigninObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export async function writeSigninLog(db: Db | Tx, entry: SigninLogEntry): Promise<void> {
  await db
    .insertInto('signin_log')
    .values({
      id: randomUUID(),
      at: (entry.at ?? new Date()).toISOString(),
      user_id: entry.userId ?? null,
      username: entry.username?.slice(0, 256) ?? null,
      client_id: entry.clientId ?? null,
      ip: entry.ip ?? null,
      user_agent: entry.userAgent?.slice(0, 512) ?? null,
      methods_tried: JSON.stringify(entry.methodsTried ?? []),
      methods_used: JSON.stringify(entry.methodsUsed ?? []),
      result: entry.result,
      reason: entry.reason,
      transaction_id: entry.transactionId ?? null,
      report_only: entry.reportOnly === undefined ? null : JSON.stringify(entry.reportOnly),
      policies: entry.policies === undefined ? null : JSON.stringify(entry.policies),
      strength: entry.strength ?? null,
    })
    .execute();
  // Counted when written: a row of a transaction that later rolls back is counted too (rare: a sign-in step's own writes).
  for (const observe of observers) observe(entry);
}

export interface SigninQuery {
  userId?: string;
  since?: string;
  result?: SigninResult;
  limit?: number;
}

export async function listSignins(db: Db, query: SigninQuery = {}): Promise<SigninLogRow[]> {
  let q = db.selectFrom('signin_log').selectAll();
  if (query.userId) q = q.where('user_id', '=', query.userId);
  if (query.since) q = q.where('at', '>=', query.since);
  if (query.result) q = q.where('result', '=', query.result);
  const rows = await q.orderBy('at', 'desc').orderBy('id').limit(Math.min(query.limit ?? 100, 1000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    userId: r.user_id,
    username: r.username,
    clientId: r.client_id,
    ip: r.ip,
    userAgent: r.user_agent,
    methodsTried: JSON.parse(r.methods_tried) as string[],
    methodsUsed: JSON.parse(r.methods_used) as string[],
    result: r.result,
    reason: r.reason,
    transactionId: r.transaction_id,
    reportOnly: r.report_only ? (JSON.parse(r.report_only) as unknown) : null,
    policies: r.policies ? (JSON.parse(r.policies) as unknown) : null,
    strength: r.strength ?? null,
  }));
}
