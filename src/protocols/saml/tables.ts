import type { AppCategory } from '../../monitor/posture/categories.ts';
/**
 * Tables of the SAML identity provider: the registered service providers, the
 * signing keys (private key sealed), one per-deployment secret for persistent
 * NameIDs (sealed), and the AuthnRequests received (each answered once).
 */
export type SamlNameIdFormat = 'email' | 'persistent' | 'unspecified';

export interface SamlServiceProvidersTable {
  id: string;
  name: string;
  entity_id: string;
  /** The SP's metadata as registered; ACS URLs and certificates are read from it. */
  metadata: string;
  nameid_format: SamlNameIdFormat;
  /** JSON: which attributes it is sent, under which names (src/protocols/saml/attributes.ts). */
  attribute_map: string;
  /** mail, cloud, vpn, critical or other (the posture checklist). */
  category: AppCategory;
  created_at: string;
  created_by: string;
}

export interface SamlSigningKeysTable {
  id: string;
  /** next: published, not signing yet; active: signs; retiring: still published, no longer signs. */
  status: 'next' | 'active' | 'retiring';
  /** PKCS#8 PEM, sealed with the master key (purpose 'saml-signing-key'). */
  private_key_sealed: string;
  certificate: string;
  created_at: string;
}

export interface SamlSecretsTable {
  name: string;
  sealed: string;
  created_at: string;
}

export interface SamlRequestsTable {
  /** The handle in the continuation URL: random, not the SP's request id. */
  id: string;
  sp_id: string;
  /** The AuthnRequest's ID; unique per SP, so a replay cannot be stored twice. */
  request_id: string;
  acs_url: string;
  relay_state: string | null;
  requested_contexts: string;
  force_authn: number;
  /** Set once the assertion is issued or the request is refused for good. */
  answered_at: string | null;
  created_at: string;
  expires_at: string;
}

export interface SamlTables {
  saml_service_providers: SamlServiceProvidersTable;
  saml_signing_keys: SamlSigningKeysTable;
  saml_secrets: SamlSecretsTable;
  saml_requests: SamlRequestsTable;
}
