/** 'security_key': registered as a second factor; 'passkey': discoverable and user-verified, for passwordless sign-in. */
export type WebauthnKind = 'security_key' | 'passkey';

export interface WebauthnCredentialsTable {
  id: string;
  user_id: string;
  /** The authenticator's credential id, base64url; unique across users. */
  credential_id: string;
  /** COSE public key, base64url. Public: nothing here is a secret. */
  public_key: string;
  name: string;
  kind: WebauthnKind;
  /** Authenticator model (AAGUID); all zeros when the authenticator does not say. */
  aaguid: string;
  /** JSON string[]: usb, nfc, ble, internal, hybrid… as the browser reported them. */
  transports: string;
  /** Attestation statement format verified at registration: none, packed, tpm, … */
  attestation_format: string;
  /** A resident (discoverable) credential, usable without typing a username. */
  discoverable: number;
  /** The authenticator verified the user (PIN, biometric) when it was registered. */
  user_verified: number;
  /** BE flag: may be synced to other devices (a synced passkey); 0 = device-bound. */
  backup_eligible: number;
  /** BS flag: backed up now. */
  backed_up: number;
  /** The authenticator's signature counter as last seen; a lower one later signals a clone. */
  sign_count: number;
  created_at: string;
  last_used_at: string | null;
  /** Set when a clone signal suspended it: not accepted until the helpdesk clears it (optional: rows written before it existed). */
  suspended_at?: string | null;
  suspended_reason?: string | null;
}

export interface WebauthnChallengesTable {
  id: string;
  /** What the ceremony belongs to: "signin:<transaction id>" or "session:<IdP session id>". */
  owner: string;
  purpose: 'registration' | 'authentication';
  /** base64url; single use: deleted when a response is checked against it. */
  challenge: string;
  user_id: string | null;
  /** JSON: what the options asked for (kind, user verification). */
  details: string;
  created_at: string;
  expires_at: string;
}

export interface WebauthnTables {
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
}
