import type { Kysely } from 'kysely';

/**
 * Risk conditions read the sign-in log on every sign-in: failures from one
 * address in the last hour, and whether the person has signed in from this
 * address before. Without these, both scan every recent row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('signin_log_ip_result_at').on('signin_log').columns(['ip', 'result', 'at']).execute();
  await db.schema.createIndex('signin_log_user_ip_at').on('signin_log').columns(['user_id', 'ip', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('signin_log_user_ip_at').execute();
  await db.schema.dropIndex('signin_log_ip_result_at').execute();
}
