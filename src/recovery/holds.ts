import type { Db, Tx } from '../store/store.ts';
import { listUserMethods } from '../methods/list.ts';

/**
 * A recovery hold: when a lost or retired device takes away a user's last
 * second factor, the user must not fall back to signing in with the password
 * alone (that would switch MFA off by the back door). Until they have a
 * second factor again, the only way in is a Temporary Access Pass from the
 * helpdesk, after it verified who they are. Completing a sign-in with a pass
 * lifts the hold.
 */
/** What the person is told; the sign-in's texts live with the engine. */
export { RECOVERY_HOLD_TEXT as RECOVERY_HOLD_MESSAGE } from '../signin/texts.ts';

export async function placeHoldIfNoSecondFactor(trx: Tx, userId: string, reason: string, actor: string, now = new Date()): Promise<boolean> {
  const left = (await listUserMethods(trx, userId)).filter((m) => m.type !== 'password');
  if (left.length) return false;
  const existing = await trx.selectFrom('recovery_holds').select('user_id').where('user_id', '=', userId).executeTakeFirst();
  if (!existing) {
    await trx.insertInto('recovery_holds').values({ user_id: userId, reason, created_at: now.toISOString(), created_by: actor }).execute();
  }
  return true;
}

export async function liftHold(db: Db | Tx, userId: string): Promise<void> {
  await db.deleteFrom('recovery_holds').where('user_id', '=', userId).execute();
}

/** Whether the person is on a recovery hold: a fact the access decision weighs (src/policy/access/decide.ts). */
export async function isOnRecoveryHold(db: Db | Tx, userId: string): Promise<boolean> {
  const hold = await db.selectFrom('recovery_holds').select('user_id').where('user_id', '=', userId).executeTakeFirst();
  return !!hold;
}
