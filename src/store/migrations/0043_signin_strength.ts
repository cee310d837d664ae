import type { Kysely } from 'kysely';

/**
 * What a sign-in reached, kept with it: the properties of the methods used
 * (a WebAuthn assertion's user verification, synced or device-bound, AAGUID),
 * and the strongest authentication strength they satisfied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signin_transactions').addColumn('method_details', 'text').execute();
  await db.schema.alterTable('idp_sessions').addColumn('strength', 'text').execute();
  await db.schema.alterTable('idp_sessions').addColumn('method_uses', 'text').execute();
  await db.schema.alterTable('signin_log').addColumn('strength', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signin_log').dropColumn('strength').execute();
  await db.schema.alterTable('idp_sessions').dropColumn('method_uses').execute();
  await db.schema.alterTable('idp_sessions').dropColumn('strength').execute();
  await db.schema.alterTable('signin_transactions').dropColumn('method_details').execute();
}
