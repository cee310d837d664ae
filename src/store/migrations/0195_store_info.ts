import type { Kysely } from 'kysely';

/**
 * Facts about the store itself, by name: a backup writes the master key's
 * check value (an HMAC, never the key) and the time it was taken, so that a
 * restore can tell before it replaces anything whether the key it has opens
 * the backup's secrets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_info')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
