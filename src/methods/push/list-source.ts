import type { Db, Tx } from '../../store/store.ts';
import type { UserCredential } from '../list.ts';
import { methodUsable } from '../policy/check.ts';

/**
 * The user's push authenticators as registered methods. While the methods
 * policy disables push for the user they are not listed: they cannot sign in.
 */
export const activePush = (db: Db | Tx, userId: string) => db.selectFrom('push_credentials').where('user_id', '=', userId).where('status', '=', 'active');

export async function pushSource(db: Db | Tx, userId: string): Promise<UserCredential[]> {
  const rows = await activePush(db, userId).select(['id', 'label', 'created_at', 'last_used_at']).orderBy('created_at').execute();
  if (!rows.length || !(await methodUsable(db, 'push', userId))) return [];
  return rows.map((r) => ({ id: r.id, type: 'push', label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}
