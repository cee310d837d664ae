import type { Generated } from 'kysely';

export type UserStatus = 'active' | 'disabled';
export type UserKind = 'person' | 'service' | 'break_glass';
export type DeviceStatus = 'active' | 'lost' | 'retired';

export interface UsersTable {
  id: string;
  username: string;
  /** Lower-cased username: the unique key, so "Alice" and "alice" are one account. */
  username_key: string;
  email: string | null;
  display_name: string | null;
  status: UserStatus;
  kind: UserKind;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: string;
  name: string;
  name_key: string;
  description: string | null;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: string;
}

export interface RoleAssignmentsTable {
  user_id: string;
  role: string;
  granted_at: string;
  granted_by: string;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  label: string;
  platform: string | null;
  managed: number;
  compliant: number;
  status: DeviceStatus;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  /** SHA-256 of the secret part; the token itself is shown once and never stored. */
  secret_hash: string;
  created_at: string;
  created_by: string;
  /** Null only for tokens older than owners (migration 0160); new tokens always name a person. */
  owner_user_id: string | null;
  /** Every token expires (at most a year after it is created); null only before migration 0160 ran. */
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  /** The client address of the last use, as the server saw it (after trusted proxies). */
  last_used_ip: string | null;
}

export interface SetupTokensTable {
  id: string;
  secret_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface DirectoryTables {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  role_assignments: RoleAssignmentsTable;
  devices: DevicesTable;
  api_tokens: ApiTokensTable;
  setup_tokens: SetupTokensTable;
}

// Generated is re-exported for tables that later capabilities declare with defaults.
export type { Generated };
