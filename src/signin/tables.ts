export type SigninStep = 'identify' | 'password' | 'choose' | 'totp' | 'backup_code' | 'register_totp' | 'tap' | 'webauthn' | 'register_webauthn' | 'push' | 'sms' | 'voice' | 'blocked' | 'campaign' | 'done' | 'failed'
  /** Forgot password: proving two other factors, then the new password, then done (no sign-in follows). */
  | 'reset' | 'reset_password' | 'reset_done';

export interface SigninTransactionsTable {
  id: string;
  /** SHA-256 of the browser-binding secret kept in a cookie: only that browser may continue. */
  binding_hash: string;
  /** oidc-provider interaction uid when an app started the sign-in; null for the portal. */
  interaction_uid: string | null;
  client_id: string | null;
  /** Where the portal sends the person after success (a local path). */
  return_to: string | null;
  username_typed: string | null;
  user_id: string | null;
  step: SigninStep;
  /** JSON string[]: methods that succeeded in this transaction, in order. */
  methods_used: string;
  /** JSON string[]: methods tried (success or not). */
  methods_tried: string;
  /** acr the sign-in must reach (from acr_values, the user's roles, or registered methods). */
  required_acr: string | null;
  /** browser, or radius (a RADIUS request continued by its State): policy's client type for this sign-in. */
  client_type: 'browser' | 'radius';
  /** Session being stepped up: its factors count, only the missing one is asked. */
  session_id: string | null;
  /** Pending method registration started inside this sign-in (registration interrupt). */
  enrolment_id: string | null;
  /** JSON: properties of the methods used, by method (a WebAuthn assertion's flags), for strengths. */
  method_details?: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export interface IdpSessionsTable {
  id: string;
  secret_hash: string;
  user_id: string;
  /** JSON string[] of RFC 8176 amr values reached in this session. */
  amr: string;
  acr: string;
  auth_time: string;
  /** Last time a second factor was verified in this session (recent-MFA rule). */
  mfa_at: string | null;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
  /** The strongest authentication strength reached (src/policy/strengths.ts), null below MFA. */
  strength?: string | null;
  /** JSON MethodUse[]: the methods the session rests on, with their properties. */
  method_uses?: string | null;
}

export interface SigninTables {
  signin_transactions: SigninTransactionsTable;
  idp_sessions: IdpSessionsTable;
}
