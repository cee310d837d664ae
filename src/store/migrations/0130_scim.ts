import type { Kysely } from 'kysely';

/**
 * What a SCIM client says about the people and groups it provisions, beyond
 * Tessera's own columns: who provisioned them (the source of truth), the
 * client's own id for them (externalId) and the SCIM attributes Tessera keeps
 * but does not act on (name parts, title, the enterprise extension).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scim_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('scim_groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey().references('groups.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('scim_groups').execute();
  await db.schema.dropTable('scim_users').execute();
}
