import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute();
  // Partial indexes: most rows (client-credentials tokens, codes) leave these columns empty,
  // and an index an insert need not touch is a page the write-ahead log need not copy.
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').columns(['grant_id', 'model']).where(sql.ref('grant_id'), 'is not', null).execute();
  await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').columns(['account_id', 'model']).where(sql.ref('account_id'), 'is not', null).execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['uid', 'model']).where(sql.ref('uid'), 'is not', null).execute();
  await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').columns(['user_code', 'model']).where(sql.ref('user_code'), 'is not', null).execute();
  await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_payloads').execute();
}
