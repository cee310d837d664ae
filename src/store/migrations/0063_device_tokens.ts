import type { Kysely } from 'kysely';

/**
 * Device binding for conditional access: a device token the MDM installs on a
 * managed device (stored hashed), and which device a sign-in in progress
 * presented it from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('device_tokens_device').on('device_tokens').column('device_id').execute();

  await db.schema
    .createTable('signin_device_claims')
    .addColumn('transaction_id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['signin_device_claims', 'device_tokens']) await db.schema.dropTable(t).execute();
}
