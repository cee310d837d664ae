import type { Factor, FactorResult } from '../factor.ts';
import { verifyWebauthn, type WebauthnMode } from './authenticate.ts';

/** Whose ceremony a sign-in's challenge belongs to. */
export const signinOwner = (transactionId: string) => `signin:${transactionId}`;

function webauthn(mode: WebauthnMode): Factor {
  return {
    method: 'webauthn',
    logAs: mode === 'passwordless' ? 'passkey' : 'webauthn',
    first: mode === 'passwordless',
    async verify(ctx, a): Promise<FactorResult> {
      const r = await verifyWebauthn(ctx, {
        owner: signinOwner(a.transactionId), mode, response: a.response, userId: a.userId ?? null, ip: a.ip, requestId: a.requestId,
      });
      if (r.ok) return { ok: true, userId: r.userId, use: r.use };
      return {
        ok: false, reason: r.cloneDetected ? 'clone_detected' : r.reason, retryAfterMs: r.retryAfterMs, throttle: r.throttle,
        justLocked: r.justLocked, userId: r.userId ?? undefined,
      };
    },
  };
}

/** A security key or passkey after the password (or for a step-up): user presence is enough. */
export const webauthnFactor = webauthn('second_factor');
/** A passkey on the first page: user-verified, and the person is whoever owns it. */
export const passkeyFactor = webauthn('passwordless');
