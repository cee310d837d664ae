import { randomUUID } from 'node:crypto';
import type { Store, Tx } from '../store/store.ts';
import { noteLocalChange } from '../store/change-stamp.ts';
import type { AuditLogTable } from './tables.ts';
import { canonicalJson } from './canonical.ts';
import { entryHash, GENESIS_HASH } from './entry.ts';
import { redact } from './redact.ts';

export interface AuditEvent {
  /** Who did it: "user:<id>", "token:<id>", "cli:<os user>", "system". */
  actor: string;
  /** Dotted verb, e.g. "user.create", "role.grant". */
  action: string;
  target?: string | null;
  requestId?: string | null;
  before?: unknown;
  after?: unknown;
}

export type RecordAudit = (event: AuditEvent) => Promise<AuditLogTable>;

const AUDIT_LOCK = 'tessera.audit_log';

/**
 * Runs a change and its audit entries in one transaction, holding the audit
 * append lock, so the change and its record commit together and the chain
 * stays linear even with several processes appending to one PostgreSQL.
 */
export function auditedChange<T>(store: Store, fn: (trx: Tx, record: RecordAudit) => Promise<T>): Promise<T> {
  return store.serialized(AUDIT_LOCK, (trx) => {
    // Caches of the configuration in this process look again (src/store/change-stamp.ts).
    noteLocalChange(store.db);
    return fn(trx, (event) => appendEntry(trx, event));
  });
}

/** Appends one entry and nothing else. */
export function recordAudit(store: Store, event: AuditEvent): Promise<AuditLogTable> {
  return auditedChange(store, (_trx, record) => record(event));
}

async function appendEntry(trx: Tx, event: AuditEvent): Promise<AuditLogTable> {
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const snapshot = (v: unknown) => (v === undefined ? null : canonicalJson(redact(v)));
  const row: Omit<AuditLogTable, 'hash'> = {
    seq: last ? Number(last.seq) + 1 : 1,
    id: randomUUID(),
    at: new Date().toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target ?? null,
    request_id: event.requestId ?? null,
    before_json: snapshot(event.before),
    after_json: snapshot(event.after),
    prev_hash: last ? last.hash : GENESIS_HASH,
  };
  const full = { ...row, hash: entryHash(row) };
  await trx.insertInto('audit_log').values(full).execute();
  return full;
}
