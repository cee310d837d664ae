import type { Kysely } from 'kysely';

/**
 * A security key or passkey whose signature counter went backwards may have
 * been copied: it is suspended (not accepted) until the helpdesk clears it.
 * Null: not suspended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webauthn_credentials').addColumn('suspended_at', 'text').execute();
  await db.schema.alterTable('webauthn_credentials').addColumn('suspended_reason', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webauthn_credentials').dropColumn('suspended_reason').execute();
  await db.schema.alterTable('webauthn_credentials').dropColumn('suspended_at').execute();
}
