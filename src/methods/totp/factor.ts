import { fromVerifyResult, typedCode, type Factor } from '../factor.ts';
import { verifyTotp } from './verify.ts';

/** A code from an authenticator app or a hardware OATH token: each code once, throttled. */
export const totpFactor: Factor = {
  method: 'totp',
  logAs: 'totp',
  first: false,
  async verify(ctx, a) {
    const code = typedCode(a.response);
    if (!code || !a.userId) return { ok: false, reason: 'invalid' };
    return fromVerifyResult(await verifyTotp(ctx, a.userId, code, { ip: a.ip }), a.userId, 'totp');
  },
};
