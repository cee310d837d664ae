import { sql, type Kysely } from 'kysely';

/**
 * Detections and notices (issue 18): the scanner's cursor and lease, the
 * dedupe keys of raised findings, the risk signals conditional access reads,
 * the detection thresholds, and the "this wasn't me" links.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('detection_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('signin_at', 'text', (c) => c.notNull())
    .addColumn('signin_id', 'text', (c) => c.notNull())
    .addColumn('audit_seq', 'integer', (c) => c.notNull())
    .addColumn('lease_holder', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('scanned_at', 'text')
    .addColumn('unmailed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('detection_hits')
    .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .execute();
  await db.schema.createIndex('detection_hits_subject').on('detection_hits').columns(['kind', 'subject', 'created_at']).execute();
  await db.schema
    .createTable('risk_signals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('ip', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .execute();
  await db.schema.createIndex('risk_signals_user').on('risk_signals').columns(['user_id', 'expires_at']).execute();
  await db.schema.createIndex('risk_signals_ip').on('risk_signals').columns(['ip', 'expires_at']).execute();
  await db.schema
    .createTable('detection_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('report_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('notice_key', 'text', (c) => c.notNull().unique())
    .addColumn('notice_kind', 'text', (c) => c.notNull())
    .addColumn('notice', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  // Detections cover what happens from the upgrade on: an existing log is not replayed as news.
  await sql`insert into detection_state (name, signin_at, signin_id, audit_seq, unmailed)
    select 'scanner', ${new Date().toISOString()}, '', coalesce(max(seq), 0), 0 from audit_log`.execute(db);
  await db.schema.createIndex('report_links_user').on('report_links').columns(['user_id', 'used_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['report_links', 'detection_settings', 'risk_signals', 'detection_hits', 'detection_state']) await db.schema.dropTable(t).execute();
}
