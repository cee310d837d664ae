import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SAML service providers, registered from their metadata.
  await db.schema
    .createTable('saml_service_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('entity_id', 'text', (c) => c.notNull().unique())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('nameid_format', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('saml_signing_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('saml_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Each AuthnRequest received; the unique (sp, request id) pair makes a replay fail on any node.
  await db.schema
    .createTable('saml_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sp_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('acs_url', 'text', (c) => c.notNull())
    .addColumn('relay_state', 'text')
    .addColumn('requested_contexts', 'text', (c) => c.notNull())
    .addColumn('force_authn', 'integer', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saml_requests_sp_request', ['sp_id', 'request_id'])
    .execute();
  await db.schema.createIndex('saml_requests_expires').on('saml_requests').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['saml_requests', 'saml_secrets', 'saml_signing_keys', 'saml_service_providers']) await db.schema.dropTable(t).execute();
}
