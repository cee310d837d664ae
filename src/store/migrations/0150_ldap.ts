import type { Kysely } from 'kysely';

/**
 * LDAP / Active Directory sources (issue 17, item 2): the sources, the people
 * and groups each one owns, the reports of its syncs, and a lease per source
 * so only one node syncs it at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ldap_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('bind_password_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ldap_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('source_id', 'text', (c) => c.notNull().references('ldap_sources.id').onDelete('cascade'))
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('missing_since', 'text')
    .addColumn('offboarded_at', 'text')
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ldap_users_source').on('ldap_users').column('source_id').execute();
  await db.schema
    .createTable('ldap_groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey().references('groups.id').onDelete('cascade'))
    .addColumn('source_id', 'text', (c) => c.notNull().references('ldap_sources.id').onDelete('cascade'))
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ldap_sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull().references('ldap_sources.id').onDelete('cascade'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('ldap_sync_runs_source').on('ldap_sync_runs').columns(['source_id', 'started_at']).execute();
  await db.schema
    .createTable('ldap_sync_leases')
    .addColumn('source_id', 'text', (c) => c.primaryKey().references('ldap_sources.id').onDelete('cascade'))
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['ldap_sync_leases', 'ldap_sync_runs', 'ldap_groups', 'ldap_users', 'ldap_sources']) await db.schema.dropTable(t).execute();
}
