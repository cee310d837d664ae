import type { Kysely } from 'kysely';

/**
 * Which device holds a credential (an authenticator app's seed, a passkey, a
 * push key): nullable, since a credential may be bound later or never.
 * Method tables created after this migration declare the column themselves.
 */
const TABLES = ['totp_credentials', 'webauthn_credentials', 'push_credentials'];

async function present(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables
    .filter((t) => TABLES.includes(t.name) && !t.columns.some((c) => c.name === 'device_id'))
    .map((t) => t.name);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of await present(db)) {
    await db.schema.alterTable(table).addColumn('device_id', 'text').execute();
    await db.schema.createIndex(`${table}_device`).on(table).column('device_id').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  for (const t of tables.filter((x) => TABLES.includes(x.name) && x.columns.some((c) => c.name === 'device_id'))) {
    await db.schema.dropIndex(`${t.name}_device`).ifExists().execute();
    await db.schema.alterTable(t.name).dropColumn('device_id').execute();
  }
}
