import type { Db, Tx } from '../../store/store.ts';

/**
 * What push reports for the record. The push method decides what happened (a
 * refused or failed attempt, a reason to alert) but does not write the sign-in
 * log or alerts itself: those belong to the layer above (src/monitor/), and the
 * caller hands in a recorder. It is called inside the push's own transaction,
 * so the record commits with the change it is about.
 */
export type PushAttemptReason =
  | 'push_suspended' | 'push_rate_limited' | 'push_wrong_number' | 'push_denied' | 'push_reported_not_me' | 'push_unanswered';

/** A push sign-in attempt that was refused or failed (methods tried: push). */
export interface PushAttempt {
  userId: string;
  username: string | null;
  ip: string | null;
  transactionId: string | null;
  result: 'failure' | 'locked';
  reason: PushAttemptReason;
  at: Date;
}

/** Something a security person should look at; details never hold the number or a signature. */
export interface PushAlert {
  kind: 'push.bombing' | 'push.reported';
  userId: string;
  username: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export interface PushRecorder {
  attempt(db: Db | Tx, attempt: PushAttempt): Promise<void>;
  alert(db: Db | Tx, alert: PushAlert): Promise<void>;
}
