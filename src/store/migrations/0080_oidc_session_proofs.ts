import type { Kysely } from 'kysely';

/**
 * What the sign-in behind each oidc-provider session proved, so that a refresh
 * token asks the access decision with the methods, time and device of the
 * sign-in it came from (src/protocols/oidc/session-proofs.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_session_proofs')
    .addColumn('session_uid', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('method_uses', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_session_proofs_expiry').on('oidc_session_proofs').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_session_proofs').execute();
}
