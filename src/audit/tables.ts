export interface AuditLogTable {
  /** Position in the chain, 1-based, gap-free; assigned under the append lock. */
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  request_id: string | null;
  /** Redacted JSON of the target before and after the change. */
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
