import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

interface PayloadRow {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  expires_at: string | null;
}
type Db = Kysely<{ oidc_payloads: PayloadRow }>;

/**
 * oidc_payloads rows were keyed by the id oidc-provider hands over, which for
 * tokens, codes and sessions is the bearer value itself: a copy of the database
 * held live refresh tokens. From now on the adapter keys rows by the SHA-256 of
 * the id (src/protocols/oidc/adapter.ts, payloadKey) and stores the payload
 * without its `jti`; this converts the rows already there the same way, so live
 * sessions and tokens keep working. The hash is written out here, not imported,
 * so this migration does the same thing whatever the adapter becomes.
 */
const key = (id: string) => createHash('sha256').update(id).digest('hex');
const CHUNK = 500;

export async function up(kysely: Kysely<unknown>): Promise<void> {
  const db = kysely as Db;
  // Nothing expired is worth converting.
  await db.deleteFrom('oidc_payloads').where('expires_at', '<=', new Date().toISOString()).execute();
  // The keys to visit are read first: the rows change their keys as they are converted.
  const all = await db.selectFrom('oidc_payloads').select(['model', 'id']).execute();
  const byModel = new Map<string, string[]>();
  for (const { model, id } of all) {
    const ids = byModel.get(model);
    if (ids) ids.push(id);
    else byModel.set(model, [id]);
  }
  for (const [model, ids] of byModel) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await db.selectFrom('oidc_payloads').selectAll().where('model', '=', model).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const row of rows) {
        const payload = JSON.parse(row.payload) as Record<string, unknown>;
        delete payload.jti;
        await db
          .updateTable('oidc_payloads')
          .set({
            id: key(row.id),
            payload: JSON.stringify(payload),
            grant_id: row.grant_id === null ? null : key(row.grant_id),
            user_code: row.user_code === null ? null : key(row.user_code),
          })
          .where('model', '=', model)
          .where('id', '=', row.id)
          .execute();
      }
    }
  }
}

/** The ids cannot be recovered from their hashes: going back signs every app out. */
export async function down(kysely: Kysely<unknown>): Promise<void> {
  await (kysely as Db).deleteFrom('oidc_payloads').execute();
}
