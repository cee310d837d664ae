import { auditedChange } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';
import type { Db, Store, Tx } from '../../store/store.ts';

/**
 * The short notice about MFA fatigue (push bombing) a person reads and
 * acknowledges before they enrol push: an attacker who has the password sends
 * prompt after prompt until one is approved. Raising the version asks everyone
 * again. The posture checklist counts the share of push users who acknowledged.
 */
export const FATIGUE_NOTICE_VERSION = 1;

export const FATIGUE_NOTICE = {
  title: 'Before you add push sign-in',
  lines: [
    'Only approve a request you started yourself, and type the number only when it matches the sign-in in front of you.',
    'If a request comes that you did not start, deny it and report it: someone who knows your password is trying to sign in. Change your password afterwards.',
    'Never approve a request because it keeps coming back. Repeated prompts are an attack, not a fault.',
  ],
  acknowledge: 'I understand: I will only approve requests I started, and deny and report the others.',
  required: 'Tick the box to confirm you have read the notice.',
  apiRefused: 'read the MFA fatigue notice first and acknowledge it: send {"acknowledgeFatigueNotice": true}',
} as const;

export interface PushFatigueNoticesTable {
  user_id: string;
  version: number;
  acknowledged_at: string;
}

export interface PostureTables {
  push_fatigue_notices: PushFatigueNoticesTable;
}

export async function hasAcknowledgedFatigueNotice(db: Db | Tx, userId: string): Promise<boolean> {
  const row = await db.selectFrom('push_fatigue_notices').select('version').where('user_id', '=', userId).executeTakeFirst();
  return !!row && row.version >= FATIGUE_NOTICE_VERSION;
}

/** Records the person's acknowledgement of the current notice; audited 'push.fatigue_notice.acknowledge'. */
export async function acknowledgeFatigueNotice(store: Store, userId: string, by: ChangedBy): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const at = new Date().toISOString();
    const values = { user_id: userId, version: FATIGUE_NOTICE_VERSION, acknowledged_at: at };
    await trx.insertInto('push_fatigue_notices').values(values)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ version: FATIGUE_NOTICE_VERSION, acknowledged_at: at })).execute();
    await record({ actor: by.actor, action: 'push.fatigue_notice.acknowledge', target: `user:${userId}`, requestId: by.requestId, after: { version: FATIGUE_NOTICE_VERSION } });
  });
}
