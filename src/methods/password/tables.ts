import type { ColumnType } from 'kysely';

export interface PasswordCredentialsTable {
  user_id: string;
  /** argon2id PHC string. */
  hash: string;
  created_at: string;
  updated_at: string;
  /** Set on each successful check, for the user's list of methods; optional on insert (older code omits it). */
  last_used_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PasswordTables {
  password_credentials: PasswordCredentialsTable;
}
