import type { Kysely } from 'kysely';

interface TokenRow {
  id: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}
type Db = Kysely<{ api_tokens: TokenRow }>;

const DAY_MS = 86_400_000;

/**
 * API tokens become accountable: an owner (a person), the address they were
 * last used from, and an expiry for every token.
 *
 * Tokens from before owners keep no owner (the lists say so) and keep working
 * until they expire. Those that never expired get created + 90 days (the new
 * default), but never less than 30 days from now, so automation that uses an
 * older token is not cut off without notice; those set to outlive the new
 * one-year cap are brought down to created + 365 days on the same terms.
 */
export async function up(kysely: Kysely<unknown>): Promise<void> {
  const db = kysely as Db;
  await db.schema.alterTable('api_tokens').addColumn('owner_user_id', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('last_used_ip', 'text').execute();
  await db.schema.createIndex('api_tokens_owner').on('api_tokens').column('owner_user_id').execute();

  const now = Date.now();
  const floor = now + 30 * DAY_MS;
  const rows = await db.selectFrom('api_tokens').select(['id', 'created_at', 'expires_at']).where('revoked_at', 'is', null).execute();
  for (const row of rows) {
    const created = Date.parse(row.created_at);
    let target: number | null = null;
    if (row.expires_at === null) target = created + 90 * DAY_MS;
    else if (Date.parse(row.expires_at) > created + 365 * DAY_MS) target = created + 365 * DAY_MS;
    if (target === null) continue;
    const expiresAt = new Date(Math.max(target, floor)).toISOString();
    await db.updateTable('api_tokens').set({ expires_at: expiresAt }).where('id', '=', row.id).execute();
  }
}
