import { auditedChange } from '../../audit/append.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { ChangeOptions } from '../context.ts';
import type { WebauthnCredentialsTable } from './tables.ts';

/**
 * A clone signal (a signature counter that did not go up) suspends that one
 * credential: whoever holds a copy cannot use it, and neither can the owner
 * until the helpdesk has looked and cleared it. What is to be alerted on goes
 * out through a recorder (this folder writes no alerts), registered at the
 * composition root as the sign-in's hooks are.
 */
export interface CloneSignal {
  userId: string;
  credentialId: string;
  name: string;
  aaguid: string;
  storedSignCount: number;
  presentedSignCount: number;
  ip: string | null;
  at: Date;
}

export interface WebauthnRecorder {
  cloneDetected(db: Db | Tx, signal: CloneSignal): Promise<void>;
}

let recorder: WebauthnRecorder = { cloneDetected: async () => undefined };

export function registerWebauthnRecorder(r: WebauthnRecorder): void {
  recorder = r;
}

export const isSuspended = (row: Pick<WebauthnCredentialsTable, 'suspended_at'>): boolean => !!row.suspended_at;

/**
 * Suspends the credential, audits the signal ('method.webauthn.clone_detected')
 * and hands it to the recorder, in one transaction. A credential already
 * suspended stays as it is; the signal is still recorded.
 */
export async function suspendOnClone(store: Store, signal: CloneSignal, requestId?: string | null): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const at = signal.at.toISOString();
    const res = await trx.updateTable('webauthn_credentials')
      .set({ suspended_at: at, suspended_reason: 'clone_detected' })
      .where('id', '=', signal.credentialId).where('suspended_at', 'is', null)
      .executeTakeFirst();
    await record({
      actor: 'system', action: 'method.webauthn.clone_detected', target: `user:${signal.userId}`, requestId,
      after: {
        id: signal.credentialId, name: signal.name, aaguid: signal.aaguid, storedSignCount: signal.storedSignCount,
        presentedSignCount: signal.presentedSignCount, ip: signal.ip, suspended: Number(res.numUpdatedRows) === 1,
      },
    });
    await recorder.cloneDetected(trx, signal);
  });
}

/** The helpdesk has looked: the credential is accepted again. Audited 'method.webauthn.unsuspend'; false when it is not suspended or not theirs. */
export async function clearSuspension(store: Store, userId: string, id: string, options: ChangeOptions & { note?: string }): Promise<boolean> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('webauthn_credentials').select(['id', 'name', 'suspended_at', 'suspended_reason'])
      .where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row?.suspended_at) return false;
    await trx.updateTable('webauthn_credentials').set({ suspended_at: null, suspended_reason: null }).where('id', '=', id).execute();
    await record({
      actor: options.actor, action: 'method.webauthn.unsuspend', target: `user:${userId}`, requestId: options.requestId,
      before: { id, name: row.name, suspendedAt: row.suspended_at, reason: row.suspended_reason }, after: { id, note: options.note?.trim().slice(0, 500) || null },
    });
    return true;
  });
}
