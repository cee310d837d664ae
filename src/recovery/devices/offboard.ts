import type { Store } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';
import { refuseIfLastGlobalAdmin } from '../../directory/last-admin.ts';
import { resolveUser } from '../../directory/users.ts';
import { endAccessIn } from '../../signin/session/revoke-everywhere.ts';
import { endLiveTaps } from '../tap/model.ts';
import { presentBoundTables, removeAllBoundCredentials } from './bindings.ts';

export interface Offboarded {
  userId: string;
  username: string;
  devicesRetired: number;
  methodsRemoved: Array<{ type: string; id: string }>;
  passwordRemoved: boolean;
  backupCodesRemoved: boolean;
  tapsRevoked: number;
  sessions: number;
  appSessions: number;
  grants: number;
  appCredentials: number;
}

/**
 * Someone leaves: every device retired, every credential removed (password,
 * authenticators, passkeys, backup codes, any pass), every session and app
 * token revoked, and the account disabled, in one audited transaction
 * ('user.offboard'). The last active global admin cannot be offboarded.
 */
export async function offboardUser(store: Store, userRef: string, by: ChangedBy & { reason?: string }): Promise<Offboarded> {
  const tables = await presentBoundTables(store.db);
  return auditedChange(store, async (trx, record) => {
    const user = await resolveUser(trx, userRef);
    await refuseIfLastGlobalAdmin(trx, user.id, `offboard ${user.username}`);
    const now = new Date();
    const at = now.toISOString();
    const devices = await trx
      .updateTable('devices')
      .set({ status: 'retired', updated_at: at })
      .where('user_id', '=', user.id)
      .where('status', '!=', 'retired')
      .executeTakeFirst();
    const methodsRemoved = await removeAllBoundCredentials(trx, tables, user.id);
    const set = await trx.selectFrom('backup_code_sets').select('id').where('user_id', '=', user.id).executeTakeFirst();
    if (set) {
      await trx.deleteFrom('backup_codes').where('set_id', '=', set.id).execute();
      await trx.deleteFrom('backup_code_sets').where('id', '=', set.id).execute();
    }
    const pw = await trx.deleteFrom('password_credentials').where('user_id', '=', user.id).executeTakeFirst();
    const taps = await endLiveTaps(trx, user.id, 'revoked', by.actor, 'offboarded', now);
    const ended = await endAccessIn(trx, user.id, { now });
    await trx.updateTable('users').set({ status: 'disabled', updated_at: at }).where('id', '=', user.id).execute();
    const result: Offboarded = {
      userId: user.id,
      username: user.username,
      devicesRetired: Number(devices.numUpdatedRows),
      methodsRemoved,
      passwordRemoved: Number(pw.numDeletedRows) > 0,
      backupCodesRemoved: !!set,
      tapsRevoked: taps.length,
      ...ended,
    };
    await record({
      actor: by.actor,
      action: 'user.offboard',
      target: `user:${user.id}`,
      requestId: by.requestId,
      before: user,
      after: { ...result, status: 'disabled', reason: by.reason?.slice(0, 500) ?? null },
    });
    return result;
  });
}
