import type { Db } from '../store/store.ts';
import type { AuditLogTable } from '../audit/tables.ts';

/**
 * Reading the audit log back for people (CLI `audit tail`, the admin API):
 * newest first, with the before/after snapshots parsed.
 */
export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

export function toAuditEntry(row: AuditLogTable): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    before: parse(row.before_json),
    after: parse(row.after_json),
    hash: row.hash,
  };
}

export interface AuditQuery {
  limit?: number;
  /** Only entries older than this sequence number (paging backwards). */
  beforeSeq?: number;
  target?: string;
}

export async function recentAuditEntries(db: Db, query: AuditQuery = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
  if (query.target) q = q.where('target', '=', query.target);
  const rows = await q.orderBy('seq', 'desc').limit(Math.min(Math.max(query.limit ?? 20, 1), 1000)).execute();
  return rows.map(toAuditEntry);
}
