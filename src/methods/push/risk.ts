import type { Db, Tx } from '../../store/store.ts';

export type UserRiskLevel = 'low' | 'medium' | 'high';

/** Records the user's risk (one row per user, the latest wins); conditional access reads it with getUserRisk. */
export async function setUserRisk(db: Db | Tx, userId: string, level: UserRiskLevel, reason: string, now = new Date()): Promise<void> {
  await db.deleteFrom('user_risk').where('user_id', '=', userId).execute();
  await db.insertInto('user_risk').values({ user_id: userId, level, reason, updated_at: now.toISOString() }).execute();
}

export async function getUserRisk(db: Db | Tx, userId: string): Promise<{ level: UserRiskLevel; reason: string; updatedAt: string } | null> {
  const row = await db.selectFrom('user_risk').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row ? { level: row.level as UserRiskLevel, reason: row.reason, updatedAt: row.updated_at } : null;
}
