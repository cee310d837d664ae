export interface PasswordCredentialsTable {
  user_id: string;
  /** argon2id PHC string. */
  hash: string;
  created_at: string;
  updated_at: string;
}

export interface PasswordTables {
  password_credentials: PasswordCredentialsTable;
}
