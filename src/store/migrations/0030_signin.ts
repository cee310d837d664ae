import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signin_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('binding_hash', 'text', (c) => c.notNull())
    .addColumn('interaction_uid', 'text')
    .addColumn('client_id', 'text')
    .addColumn('return_to', 'text')
    .addColumn('username_typed', 'text')
    .addColumn('user_id', 'text')
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('methods_used', 'text', (c) => c.notNull())
    .addColumn('methods_tried', 'text', (c) => c.notNull())
    .addColumn('required_acr', 'text')
    .addColumn('session_id', 'text')
    .addColumn('enrolment_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('signin_transactions_expiry').on('signin_transactions').column('expires_at').execute();

  await db.schema
    .createTable('idp_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('acr', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'text', (c) => c.notNull())
    .addColumn('mfa_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('idle_expires_at', 'text', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('idp_sessions_user').on('idp_sessions').column('user_id').execute();

  await db.schema
    .createTable('signin_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('username', 'text')
    .addColumn('client_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('methods_tried', 'text', (c) => c.notNull())
    .addColumn('methods_used', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('report_only', 'text')
    .execute();
  await db.schema.createIndex('signin_log_at').on('signin_log').column('at').execute();
  await db.schema.createIndex('signin_log_user_at').on('signin_log').columns(['user_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['signin_log', 'idp_sessions', 'signin_transactions']) await db.schema.dropTable(t).execute();
}
