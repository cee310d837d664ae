export interface ConsoleSessionsTable {
  /** The id part of the cookie's "tcn_<id>_<secret>"; the secret is stored as its SHA-256. */
  id: string;
  secret_hash: string;
  user_id: string;
  /** The Tessera session the console was signed in with: the console lives only as long as it does. */
  idp_session_id: string;
  created_at: string;
  last_seen_at: string;
  ended_at: string | null;
  ip: string | null;
}

export interface ConsoleLoginsTable {
  state_hash: string;
  verifier: string;
  nonce: string;
  return_to: string;
  created_at: string;
}

export interface ConsoleTables {
  console_sessions: ConsoleSessionsTable;
  console_logins: ConsoleLoginsTable;
}
