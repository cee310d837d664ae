import type { Kysely } from 'kysely';

/** Apps carry a category (mail, cloud, vpn, critical, other) for the posture checklist (issue 18). */
const TABLES = ['oidc_clients', 'saml_service_providers', 'radius_clients'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const t of TABLES) await db.schema.alterTable(t).addColumn('category', 'text', (c) => c.notNull().defaultTo('other')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of TABLES) await db.schema.alterTable(t).dropColumn('category').execute();
}
