import type { Kysely } from 'kysely';

/**
 * Signed push-protocol requests carry a nonce that is accepted once per device
 * key; the primary key makes a replay fail even when two nodes see it at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_request_nonces')
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('push_request_nonces_pk', ['credential_id', 'nonce'])
    .execute();
  await db.schema.createIndex('push_request_nonces_expiry').on('push_request_nonces').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('push_request_nonces').execute();
}
