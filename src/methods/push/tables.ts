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

/** The server's VAPID key pair (RFC 8292): one row, made once, shared by every node. */
export interface PushVapidKeysTable {
  id: string;
  /** The uncompressed P-256 point, base64url: the authenticator's applicationServerKey. */
  public_key: string;
  /** The 32-byte private scalar (base64url), sealed (purpose webpush-vapid-key). */
  private_key_sealed: string;
  created_at: string;
}

/** A device key's Web Push subscription (RFC 8030), one per push credential. */
export interface PushWebSubscriptionsTable {
  credential_id: string;
  user_id: string;
  /** The push service's capability URL: never logged; endpoint_origin is what logs name. */
  endpoint: string;
  endpoint_origin: string;
  /** The browser's P-256 public key (RFC 8291 ua_public), base64url. */
  p256dh: string;
  /** The 16-byte authentication secret, sealed (purpose webpush-auth-secret). */
  auth_sealed: string;
  created_at: string;
  updated_at: string;
  last_sent_at: string | null;
}

export interface PushTables {
  push_credentials: PushCredentialsTable;
  push_enrolments: PushEnrolmentsTable;
  push_requests: PushRequestsTable;
  push_request_nonces: PushRequestNoncesTable;
  push_suspensions: PushSuspensionsTable;
  push_vapid_keys: PushVapidKeysTable;
  push_web_subscriptions: PushWebSubscriptionsTable;
  user_risk: UserRiskTable;
}
