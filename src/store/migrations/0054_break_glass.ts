import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('break_glass_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('signin_id', 'text')
    .addColumn('signin_at', 'text')
    .addColumn('notes', 'text')
    .execute();
  await db.schema.createIndex('break_glass_tests_user').on('break_glass_tests').columns(['user_id', 'at']).execute();

  await db.schema
    .createTable('break_glass_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('test_interval_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['break_glass_settings', 'break_glass_tests']) await db.schema.dropTable(t).execute();
}
