import type { Factor } from '../factor.ts';
import { fromVerifyResult } from '../factor.ts';
import { verifyPasswordAttempt } from './attempt.ts';

/** The password as a sign-in factor: an unknown account is compared against a dummy hash and throttled the same. */
export const passwordFactor: Factor = {
  method: 'password',
  logAs: 'password',
  first: true,
  async verify(ctx, a) {
    const password = typeof a.response === 'string' ? a.response : '';
    const r = await verifyPasswordAttempt(ctx.store, { userId: a.userId, throttleAs: a.throttleAs, password, ip: a.ip });
    return fromVerifyResult(r, a.userId, 'password');
  },
};
