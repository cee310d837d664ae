import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A push authenticator: a device key (ECDSA P-256 public key) bound to a device record.
  await db.schema
    .createTable('push_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('push_credentials_user').on('push_credentials').column('user_id').execute();

  // One-time enrolment tokens, stored hashed.
  await db.schema
    .createTable('push_enrolments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  // Push requests live in the store so any node can deliver and answer them.
  await db.schema
    .createTable('push_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('app_name', 'text')
    .addColumn('ip', 'text')
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .execute();
  await db.schema.createIndex('push_requests_user').on('push_requests').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('push_requests_tx').on('push_requests').column('transaction_id').execute();

  // Push bombing defence: push suspended for a user until a time.
  await db.schema
    .createTable('push_suspensions')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // User risk as the person or a detector reported it; conditional access reads it.
  await db.schema
    .createTable('user_risk')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['user_risk', 'push_suspensions', 'push_requests', 'push_enrolments', 'push_credentials']) await db.schema.dropTable(t).execute();
}
