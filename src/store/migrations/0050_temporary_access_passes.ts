import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row: the bounds every Temporary Access Pass is issued within (absent = the defaults).
  await db.schema
    .createTable('tap_policy')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('default_lifetime_minutes', 'integer', (c) => c.notNull())
    .addColumn('min_lifetime_minutes', 'integer', (c) => c.notNull())
    .addColumn('max_lifetime_minutes', 'integer', (c) => c.notNull())
    .addColumn('default_length', 'integer', (c) => c.notNull())
    .addColumn('allow_multi_use', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('temporary_access_passes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('one_time', 'integer', (c) => c.notNull())
    .addColumn('length', 'integer', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('needs_approval', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('use_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_used_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('case_id', 'text')
    .execute();
  await db.schema.createIndex('taps_user').on('temporary_access_passes').columns(['user_id', 'created_at']).execute();
  // At most one live pass per user, whatever the code does: the database refuses a second.
  await db.schema
    .createIndex('taps_one_live_per_user')
    .on('temporary_access_passes')
    .column('user_id')
    .unique()
    .where(sql.ref('status'), 'in', [sql.lit('pending_approval'), sql.lit('active')])
    .execute();

  await db.schema
    .createTable('tap_redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tap_id', 'text', (c) => c.notNull().references('temporary_access_passes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('transaction_id', 'text')
    .execute();
  await db.schema.createIndex('tap_redemptions_transaction').on('tap_redemptions').column('transaction_id').execute();
  await db.schema.createIndex('tap_redemptions_tap').on('tap_redemptions').column('tap_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['tap_redemptions', 'temporary_access_passes', 'tap_policy']) await db.schema.dropTable(t).execute();
}
