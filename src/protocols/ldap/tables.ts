/**
 * The LDAP / Active Directory sources and what their syncs leave behind: which
 * people and groups came from which source (the source of truth for their
 * synced attributes), when a person went missing from the directory, each
 * run's report, and the lease that keeps two nodes from syncing one source at once.
 */
export interface LdapSourcesTable {
  id: string;
  name: string;
  name_key: string;
  /** The connection, search and mapping settings as JSON (sourceSettingsSchema); no secret in it. */
  settings: string;
  /** The bind account's password, sealed with the master key. */
  bind_password_sealed: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface LdapUsersTable {
  user_id: string;
  source_id: string;
  /** The entry's DN at the last sync: what an LDAP password check binds as. */
  dn: string;
  /** When a sync first found the person gone from the directory; null while present. */
  missing_since: string | null;
  offboarded_at: string | null;
  synced_at: string;
}

export interface LdapGroupsTable {
  group_id: string;
  source_id: string;
  dn: string;
  synced_at: string;
}

export interface LdapSyncRunsTable {
  id: string;
  source_id: string;
  started_at: string;
  finished_at: string;
  dry_run: number;
  actor: string;
  /** The report as JSON (SyncReport). */
  report: string;
  /** Why the run stopped, when it failed; the report is then empty. */
  error: string | null;
}

export interface LdapSyncLeasesTable {
  source_id: string;
  holder: string;
  expires_at: string;
}

export interface LdapTables {
  ldap_sources: LdapSourcesTable;
  ldap_users: LdapUsersTable;
  ldap_groups: LdapGroupsTable;
  ldap_sync_runs: LdapSyncRunsTable;
  ldap_sync_leases: LdapSyncLeasesTable;
}
