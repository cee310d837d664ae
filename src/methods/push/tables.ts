/** Push authenticators (number-matched, device-key signed approvals) and push bombing defence. */
export interface PushCredentialsTable {
  id: string;
  user_id: string;
  /** The device record (src/directory/devices.ts) the key lives on. */
  device_id: string;
  label: string;
  /** The device's ECDSA P-256 public key, as a JSON Web Key (JSON text). */
  public_key: string;
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
}

export interface PushEnrolmentsTable {
  id: string;
  /** SHA-256 of the one-time enrolment token. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export type PushRequestStatus = 'pending' | 'approved' | 'denied' | 'reported' | 'expired' | 'consumed';

export interface PushRequestsTable {
  id: string;
  user_id: string;
  /** The sign-in transaction waiting for it. */
  transaction_id: string | null;
  /** The two-digit number the sign-in page shows and the person types on the authenticator. */
  number: string;
  /** Server nonce the approval signature covers. */
  nonce: string;
  app_name: string | null;
  ip: string | null;
  location: string;
  status: PushRequestStatus;
  /** The authenticator that answered. */
  credential_id: string | null;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
}

/**
 * Nonces of signed authenticator requests already accepted, per device key:
 * a captured request cannot be sent again while its timestamp is still fresh.
 */
export interface PushRequestNoncesTable {
  credential_id: string;
  nonce: string;
  /** After this the request's timestamp is refused anyway; the row can go. */
  expires_at: string;
}

export interface PushSuspensionsTable {
  user_id: string;
  until: string;
  reason: string;
  created_at: string;
}

/**
 * A user's risk, as set by the person ("this wasn't me") or a detector.
 * level: 'low' | 'medium' | 'high'. Conditional access may read it.
 */
export interface UserRiskTable {
  user_id: string;
  level: string;
  reason: string;
  updated_at: string;
}

export interface PushTables {
  push_credentials: PushCredentialsTable;
  push_enrolments: PushEnrolmentsTable;
  push_requests: PushRequestsTable;
  push_request_nonces: PushRequestNoncesTable;
  push_suspensions: PushSuspensionsTable;
  user_risk: UserRiskTable;
}
