import type { Db, Tx } from '../../store/store.ts';
import type { UserCredential } from '../list.ts';
import { methodUsable } from '../policy/check.ts';
import { maskNumber } from './numbers.ts';

/** Verified phone numbers as registered methods; a channel the methods policy disables for the user is left out (it cannot sign in). */
export const activePhones = (db: Db | Tx, userId: string) => db.selectFrom('phone_numbers').where('user_id', '=', userId).where('status', '=', 'active');

export async function phoneSource(db: Db | Tx, userId: string): Promise<UserCredential[]> {
  const rows = await activePhones(db, userId).selectAll().orderBy('created_at').execute();
  const out: UserCredential[] = [];
  for (const channel of ['sms', 'voice'] as const) {
    const mine = rows.filter((r) => r.channel === channel);
    if (!mine.length || !(await methodUsable(db, channel, userId))) continue;
    for (const r of mine) {
      out.push({ id: r.id, type: channel, label: `${channel === 'sms' ? 'Text message' : 'Voice call'} to ${maskNumber(r.number)}`, createdAt: r.verified_at ?? r.created_at, lastUsedAt: r.last_used_at });
    }
  }
  return out;
}
