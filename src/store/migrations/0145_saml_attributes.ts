import { sql, type Kysely } from 'kysely';

/** Which attributes each SAML service provider is sent, and under which names (JSON: source → name). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('saml_service_providers')
    .addColumn('attribute_map', 'text', (c) => c.notNull().defaultTo(sql`'{"email":"email","name":"name","groups":"groups"}'`))
    .execute();
}
