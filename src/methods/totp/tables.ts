export type TotpStatus = 'pending' | 'active';
export type TotpSource = 'app' | 'import';
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpCredentialsTable {
  id: string;
  user_id: string;
  label: string;
  /** The seed sealed with the master key (purpose 'totp-seed'); never stored in the clear. */
  seed_sealed: string;
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
  /** 'pending' until the user proves the app works with a first code. */
  status: TotpStatus;
  source: TotpSource;
  /** The last accepted time step; a code for this step or an earlier one is a replay. -1 before any. */
  last_step: number;
  created_at: string;
  activated_at: string | null;
  last_used_at: string | null;
}

export interface TotpTables {
  totp_credentials: TotpCredentialsTable;
}
