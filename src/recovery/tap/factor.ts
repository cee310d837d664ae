import type { Factor, FactorResult } from '../../methods/factor.ts';
import { verifyTap } from './verify.ts';

/**
 * A Temporary Access Pass as a first factor: issued by the helpdesk after
 * verifying the person, time-bound, used once, throttled like every factor.
 * A refused pass says why (waiting for approval, not yet valid, expired, used)
 * only to the holder of the right pass.
 */
export const tapFactor: Factor = {
  method: 'tap',
  logAs: 'tap',
  first: true,
  async verify(ctx, a): Promise<FactorResult> {
    const pass = typeof a.response === 'string' ? a.response : '';
    const r = await verifyTap(ctx, { userId: a.userId, throttleAs: a.throttleAs, pass, ip: a.ip, transactionId: a.transactionId });
    if (r.ok && a.userId) return { ok: true, userId: a.userId, use: { method: 'tap' } };
    if (r.ok) return { ok: false, reason: 'invalid' };
    return { ok: false, reason: r.state ?? r.reason, retryAfterMs: r.retryAfterMs, throttle: r.throttle, justLocked: r.justLocked };
  },
};
