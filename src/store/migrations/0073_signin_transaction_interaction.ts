import { sql, type Kysely } from 'kysely';

/**
 * Every sign-in page request finds its transaction by id or by the app's
 * interaction uid; without an index on the uid that is a scan of every open
 * (and every abandoned, not yet expired) sign-in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('signin_transactions_interaction')
    .on('signin_transactions')
    .column('interaction_uid')
    .where(sql.ref('interaction_uid'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('signin_transactions_interaction').execute();
}
