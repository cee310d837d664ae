import type { Kysely } from 'kysely';

/** One app's failures (the console's sign-in log, the app failure-rate detection) without scanning the whole log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('signin_log_client_result_at').on('signin_log').columns(['client_id', 'result', 'at']).execute();
}
