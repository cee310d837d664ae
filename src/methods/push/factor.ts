import type { Factor, FactorResult } from '../factor.ts';
import { throttledVerification } from '../throttle/index.ts';
import { consumeApproval, effectiveStatus, latestForTransaction } from './requests.ts';

/**
 * A number-matched push approved on the person's authenticator: the sign-in's
 * latest request, approved with a device-key signature, used up once here
 * (an approval never counts twice), throttled like every factor.
 */
export const pushFactor: Factor = {
  method: 'push',
  logAs: 'push',
  first: false,
  async verify(ctx, a): Promise<FactorResult> {
    const userId = a.userId;
    if (!userId) return { ok: false, reason: 'invalid' };
    let reason = 'not_approved';
    const r = await throttledVerification(ctx.store, { userId, method: 'push', ip: a.ip }, async () => {
      const request = await latestForTransaction(ctx.store.db, a.transactionId);
      const status = request && request.userId === userId ? effectiveStatus(request) : null;
      if (status === 'approved' && (await consumeApproval(ctx.store.db, a.transactionId, request!.id))) return { ok: true, credentialId: request!.id };
      // Approved but taken meanwhile, or already used: a replay. Anything else was never approved.
      reason = status === 'approved' || status === 'consumed' ? 'replayed' : 'not_approved';
      return { ok: false, reason: 'invalid' };
    });
    if (r.ok) return { ok: true, userId, use: { method: 'push' } };
    if (r.reason === 'locked') return { ok: false, reason: 'locked', retryAfterMs: r.retryAfterMs, throttle: r.throttle };
    return { ok: false, reason, justLocked: r.justLocked, retryAfterMs: r.retryAfterMs };
  },
};
