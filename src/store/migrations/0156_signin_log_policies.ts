import type { Kysely } from 'kysely';

/** What each enforced policy that applied did to a sign-in (JSON), beside what the report-only ones would have done. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signin_log').addColumn('policies', 'text').execute();
}
