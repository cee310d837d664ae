/**
 * Conditional-access tables (created by migrations 0060–0069). Documents are
 * stored as the JSON the admin wrote (validated), so export gives back what
 * was imported.
 */
export interface CaPoliciesTable {
  id: string;
  name: string;
  /** Lower-cased name: unique. */
  name_key: string;
  state: 'enabled' | 'reportOnly' | 'disabled';
  /** JSON PolicyDocument (without id). */
  document: string;
  version: number;
  /** default (seeded), admin, rollout (owned by a roll-out stage). */
  origin: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface NamedLocationsTable {
  id: string;
  name: string;
  name_key: string;
  /** JSON NamedLocation. */
  document: string;
  created_at: string;
  updated_at: string;
}

export interface PolicyExceptionsTable {
  id: string;
  policy_id: string;
  subject_kind: 'user' | 'group';
  /** Username or group name as it was when requested. */
  subject: string;
  subject_id: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected' | 'revoked';
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  starts_at: string;
  ends_at: string;
}

export interface PolicySettingsTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: string;
}

export interface RolloutStagesTable {
  id: string;
  position: number;
  name: string;
  /** JSON string[] of group names. */
  groups: string;
  /** JSON string[] of roles. */
  roles: string;
  strength: string;
  /** The method the campaign asks people to register (totp, webauthn, …). */
  preferred_method: string;
  snooze_limit: number;
  campaign_from: string;
  enforce_at: string;
  policy_id: string;
  created_at: string;
  updated_at: string;
}

export interface RolloutCampaignTable {
  user_id: string;
  stage_id: string;
  snoozes: number;
  last_prompted_at: string | null;
}

/** A device token the MDM installed on a managed device; the secret is stored as SHA-256. */
export interface DeviceTokensTable {
  id: string;
  device_id: string;
  secret_hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/** The device a sign-in in progress presented a valid device token from. */
export interface SigninDeviceClaimsTable {
  transaction_id: string;
  device_id: string;
  created_at: string;
}

/** A policy change that lowers what someone must reach, waiting for a second administrator. */
export interface PolicyDowngradesTable {
  id: string;
  /** The change as requested, JSON (a DowngradeChange). */
  change: string;
  /** Who it was found to lower what for when requested, JSON (a DowngradeReport). */
  report: string;
  reason: string;
  status: 'pending' | 'applied' | 'rejected';
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

export interface PolicyTables {
  ca_policies: CaPoliciesTable;
  policy_downgrades: PolicyDowngradesTable;
  named_locations: NamedLocationsTable;
  policy_exceptions: PolicyExceptionsTable;
  policy_settings: PolicySettingsTable;
  rollout_stages: RolloutStagesTable;
  rollout_campaign: RolloutCampaignTable;
  device_tokens: DeviceTokensTable;
  signin_device_claims: SigninDeviceClaimsTable;
}
