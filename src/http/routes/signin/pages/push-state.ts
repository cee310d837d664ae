import type { AppContext } from '../../../../app/context.ts';
import type { SigninTransaction } from '../../../../signin/transaction.ts';
import { effectiveStatus, latestForTransaction, type PushRequest } from '../../../../methods/push/requests.ts';
import { noteUnanswered, sendPushRequest } from '../../push/recorded.ts';
import { pushSuspendedUntil } from '../../../../methods/push/defence.ts';
import { methodAllowedFor } from '../../../../methods/policy/check.ts';

/** Where a sign-in's push stands, for the page and the status endpoint. */
export type PushState =
  | { kind: 'waiting'; request: PushRequest }
  | { kind: 'approved'; request: PushRequest }
  | { kind: 'denied'; request: PushRequest }
  | { kind: 'expired'; request: PushRequest }
  | { kind: 'suspended'; until: string }
  | { kind: 'rate_limited'; retryAt: string }
  | { kind: 'not_allowed'; reason: string };

export async function sendForTransaction(ctx: AppContext, t: SigninTransaction): Promise<PushState> {
  const sent = await sendPushRequest(ctx.store, { userId: t.userId!, username: t.usernameTyped, transactionId: t.id, appName: t.clientId ?? 'Tessera account', ip: t.ip });
  if (sent.ok) return { kind: 'waiting', request: sent.request };
  return sent.refusal.reason === 'suspended' ? { kind: 'suspended', until: sent.refusal.until } : { kind: 'rate_limited', retryAt: sent.refusal.retryAt };
}

/**
 * The push state of a sign-in; the first look sends the request (so the page
 * reached by the engine pushes at once; later requests need "Send again").
 */
export async function pushStateFor(ctx: AppContext, t: SigninTransaction, sendIfNone: boolean): Promise<PushState> {
  const allowed = await methodAllowedFor(ctx.store.db, 'push', t.userId!);
  if (!allowed.allowed) return { kind: 'not_allowed', reason: allowed.reason };
  const r = await latestForTransaction(ctx.store.db, t.id);
  if (!r) {
    const until = await pushSuspendedUntil(ctx.store.db, t.userId!);
    if (until) return { kind: 'suspended', until };
    return sendIfNone ? sendForTransaction(ctx, t) : { kind: 'rate_limited', retryAt: new Date().toISOString() };
  }
  const status = effectiveStatus(r);
  if (status === 'expired') {
    if (r.status === 'pending') await noteUnanswered(ctx.store, r, t.usernameTyped);
    const until = await pushSuspendedUntil(ctx.store.db, t.userId!);
    return until ? { kind: 'suspended', until } : { kind: 'expired', request: r };
  }
  if (status === 'approved' || status === 'consumed') return { kind: 'approved', request: r };
  if (status === 'denied' || status === 'reported') {
    const until = await pushSuspendedUntil(ctx.store.db, t.userId!);
    return until ? { kind: 'suspended', until } : { kind: 'denied', request: r };
  }
  return { kind: 'waiting', request: r };
}
