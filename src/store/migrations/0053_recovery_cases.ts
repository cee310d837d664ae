import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // No foreign key to users: the record of a recovery is evidence and outlives the account.
  await db.schema
    .createTable('recovery_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('next_step', 'text')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('tap_id', 'text')
    .addColumn('recovered_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('time_to_recover_seconds', 'integer')
    .addColumn('cancel_reason', 'text')
    .execute();
  await db.schema.createIndex('recovery_cases_user').on('recovery_cases').columns(['user_id', 'opened_at']).execute();
  await db.schema.createIndex('recovery_cases_status').on('recovery_cases').columns(['status', 'opened_at']).execute();

  await db.schema
    .createTable('recovery_case_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('recovery_cases.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('operator_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('recovery_case_steps_case').on('recovery_case_steps').columns(['case_id', 'seq']).execute();

  // A user whose last second factor was taken away (lost device, retired phone) signs in
  // again only with a pass from the helpdesk, never with the password alone.
  await db.schema
    .createTable('recovery_holds')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['recovery_holds', 'recovery_case_steps', 'recovery_cases']) await db.schema.dropTable(t).execute();
}
