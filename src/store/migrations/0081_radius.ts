import { sql, type Kysely } from 'kysely';

/**
 * RADIUS: the clients (NAS) that may ask, and which kind of client a sign-in
 * transaction serves (a browser, or a RADIUS request continued by its State).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('radius_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('signin_transactions').addColumn('client_type', 'text', (c) => c.notNull().defaultTo(sql`'browser'`)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signin_transactions').dropColumn('client_type').execute();
  await db.schema.dropTable('radius_clients').execute();
}
