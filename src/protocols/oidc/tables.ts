import type { AppCategory } from '../../monitor/posture/categories.ts';
/**
 * Tables of the OpenID Connect provider: everything oidc-provider persists
 * (sessions, grants, codes, tokens, interactions…) in one table keyed by model
 * and id, plus our own signing keys and registered clients.
 */
export interface OidcPayloadsTable {
  /** oidc-provider model name: Session, Grant, AccessToken, RefreshToken, … */
  model: string;
  /**
   * SHA-256 of oidc-provider's id (for tokens, codes and sessions the id is the
   * bearer value, which is never stored); see payloadKey in adapter.ts.
   */
  id: string;
  /** The model's payload as JSON, as oidc-provider handed it over but without its jti (the id). */
  payload: string;
  /** Copied out of the payload so they can be queried; grant_id and user_code as payloadKey hashes. */
  account_id: string | null;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** Null: never expires (oidc-provider did not give a lifetime). */
  expires_at: string | null;
  consumed_at: string | null;
}

export type SigningKeyStatus = 'active' | 'retiring' | 'retired';
export type SigningAlg = 'RS256' | 'ES256';

export interface OidcSigningKeysTable {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  alg: SigningAlg;
  status: SigningKeyStatus;
  /** The private JWK, sealed with the master key (purpose 'oidc-signing-key'). */
  private_jwk_sealed: string;
  /** The public JWK as JSON; not secret. */
  public_jwk: string;
  created_at: string;
  retiring_at: string | null;
  retired_at: string | null;
}

export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export interface OidcClientsTable {
  client_id: string;
  name: string | null;
  token_endpoint_auth_method: ClientAuthMethod;
  /** SHA-256 of the client secret; the secret is shown once and never stored. */
  secret_hash: string | null;
  /** JSON arrays of strings. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  /** For private_key_jwt: the client's public keys (JSON JWKS) or where to fetch them. */
  jwks: string | null;
  jwks_uri: string | null;
  /** mail, cloud, vpn, critical or other (the posture checklist). */
  category: AppCategory;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface OidcTables {
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_clients: OidcClientsTable;
  oidc_session_proofs: OidcSessionProofsTable;
}

/**
 * What the sign-in behind an oidc-provider session proved (methods with their
 * WebAuthn properties, when, from which device), kept as long as refresh
 * tokens of that session can live, so a refresh asks the access decision with
 * the same facts a session reuse would.
 */
export interface OidcSessionProofsTable {
  /** oidc-provider's session uid (refresh tokens carry it as sessionUid). */
  session_uid: string;
  user_id: string;
  /** JSON array of MethodUse. */
  method_uses: string;
  auth_time: string;
  device_id: string | null;
  updated_at: string;
  expires_at: string;
}
