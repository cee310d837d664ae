import type { Kysely } from 'kysely';

/** Who acknowledged the MFA fatigue notice before enrolling push, and which version of it (issue 18). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_fatigue_notices')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('push_fatigue_notices').execute();
}
