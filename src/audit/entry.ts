import type { AuditLogTable } from './tables.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an entry covers every stored field except the hash itself. */
export function entryHash(row: Omit<AuditLogTable, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      seq: Number(row.seq),
      id: row.id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      request_id: row.request_id,
      before: row.before_json,
      after: row.after_json,
      prev_hash: row.prev_hash,
    }),
  );
}
