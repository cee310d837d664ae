export interface BackupCodeSetsTable {
  id: string;
  /** One live set per user: generating a new set replaces the old one. */
  user_id: string;
  /** Random HMAC key for this set's code digests, sealed with the master key (purpose 'backup-code-key'). */
  key_sealed: string;
  created_at: string;
}

export interface BackupCodesTable {
  set_id: string;
  /** HMAC-SHA256 (hex) of the normalised code under the set's key. */
  code_hash: string;
  used_at: string | null;
}

export interface BackupCodeTables {
  backup_code_sets: BackupCodeSetsTable;
  backup_codes: BackupCodesTable;
}
