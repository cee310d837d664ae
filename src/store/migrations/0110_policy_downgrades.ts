import type { Kysely } from 'kysely';

/** Policy changes that lower what someone must reach, waiting for a second administrator (four-eyes). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policy_downgrades')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('policy_downgrades_status').on('policy_downgrades').columns(['status', 'requested_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('policy_downgrades').execute();
}
