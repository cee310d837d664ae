import type { Kysely } from 'kysely';

/** Staged roll-out: ordered stages and each person's registration-campaign progress. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollout_stages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('strength', 'text', (c) => c.notNull())
    .addColumn('preferred_method', 'text', (c) => c.notNull())
    .addColumn('snooze_limit', 'integer', (c) => c.notNull())
    .addColumn('campaign_from', 'text', (c) => c.notNull())
    .addColumn('enforce_at', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull().references('ca_policies.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rollout_campaign')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('stage_id', 'text', (c) => c.notNull().references('rollout_stages.id').onDelete('cascade'))
    .addColumn('snoozes', 'integer', (c) => c.notNull())
    .addColumn('last_prompted_at', 'text')
    .addPrimaryKeyConstraint('rollout_campaign_pk', ['user_id', 'stage_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['rollout_campaign', 'rollout_stages']) await db.schema.dropTable(t).execute();
}
