import type { AppContext } from '../../app/context.ts';
import type { SigninTransaction } from '../transaction.ts';
import { effectiveStatus, latestForTransaction, noteUnanswered, sendPushRequest, type PushRequest } from '../../methods/push/requests.ts';
import { pushFactor } from '../../methods/push/factor.ts';
import { pushSuspendedUntil } from '../../methods/push/defence.ts';
import { methodAllowedFor } from '../../methods/policy/check.ts';
import { pushRecorder } from '../../monitor/push-events.ts';
import { SIGNIN_TEXT } from '../texts.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { proveFactor } from './prove.ts';

/**
 * Push inside a sign-in: the first look sends a number-matched request to the
 * person's authenticator; "continue" proves the approval like every factor
 * (src/methods/push/factor.ts); "send a new request" is limited by the push
 * bombing defence. The sign-in log and alerts are push's recorder (src/monitor).
 */

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
  const sent = await sendPushRequest(ctx.store, pushRecorder, { userId: t.userId!, username: t.usernameTyped, transactionId: t.id, appName: t.clientId ?? 'Tessera account', ip: t.ip });
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
    if (r.status === 'pending') await noteUnanswered(ctx.store, pushRecorder, r, t.usernameTyped);
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

/** "I approved it — continue": the approval is proven (and used up) like every factor. */
export async function continuePush(ctx: AppContext, t: SigninTransaction, req: RequestFacts): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  const s = await pushStateFor(ctx, t, false);
  if (s.kind === 'waiting') return show(t, SIGNIN_TEXT.pushNotYetApproved, 409);
  if (s.kind !== 'approved') return show(t);
  return proveFactor(ctx, t, pushFactor, null, req);
}

/** "Send a new request", when the last one was denied or timed out and push is not paused. */
export async function resendPush(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  const s = await pushStateFor(ctx, t, false);
  if (s.kind === 'waiting' || s.kind === 'approved' || s.kind === 'not_allowed' || s.kind === 'suspended') return show(t);
  const sent = await sendForTransaction(ctx, t);
  return sent.kind === 'waiting' ? show(t) : show(t, SIGNIN_TEXT.pushNotSent, 429);
}
