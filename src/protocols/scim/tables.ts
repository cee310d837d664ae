export interface ScimUsersTable {
  user_id: string;
  /** "scim:<API token id>": the provisioning client that owns this person. */
  source: string;
  external_id: string | null;
  /** JSON: the SCIM attributes kept as given (name, title, enterprise extension). */
  attributes: string;
  updated_at: string;
}

export interface ScimGroupsTable {
  group_id: string;
  source: string;
  external_id: string | null;
  updated_at: string;
}

export interface ScimTables {
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
}
