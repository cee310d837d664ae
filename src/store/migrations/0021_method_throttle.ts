import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // No foreign key: the sign-in engine also throttles names that match no account
  // (under a placeholder key), so unknown and known names lock alike.
  await db.schema
    .createTable('method_throttle')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'text')
    .addColumn('locked_until', 'text')
    .addPrimaryKeyConstraint('method_throttle_pk', ['user_id', 'method'])
    .execute();

  await db.schema
    .createTable('ip_throttle')
    .addColumn('ip_key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ip_throttle_pk', ['ip_key', 'window_start'])
    .execute();
  // Old windows are swept by start time.
  await db.schema.createIndex('ip_throttle_window').on('ip_throttle').column('window_start').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ip_throttle').execute();
  await db.schema.dropTable('method_throttle').execute();
}
