import { typedCode, type Factor, type FactorResult } from '../factor.ts';
import { methodUsable } from '../policy/check.ts';
import { throttledVerification } from '../throttle/index.ts';
import { activePhones, checkPhoneCode, phoneCodeKey, type CodeCheck } from './codes.ts';
import type { PhoneChannel } from './tables.ts';

/**
 * A code sent by text message or phone call (restricted methods): accepted
 * once, for the registered numbers of that channel only, throttled like every
 * factor on top of each code's own attempt limit.
 */
function phone(channel: PhoneChannel): Factor {
  return {
    method: channel,
    logAs: channel,
    first: false,
    async verify(ctx, a): Promise<FactorResult> {
      const userId = a.userId;
      if (!userId) return { ok: false, reason: 'invalid' };
      if (!(await methodUsable(ctx.store.db, channel, userId))) return { ok: false, reason: 'not_allowed' };
      const code = typedCode(a.response, 8) ?? '';
      const phones = await activePhones(ctx.store.db, userId, channel);
      let check: CodeCheck = { ok: false, reason: 'invalid' };
      const r = await throttledVerification(ctx.store, { userId, method: channel, ip: a.ip }, async () => {
        check = await checkPhoneCode(ctx.store, { userId, purpose: 'signin', phoneIds: phones.map((p) => p.id), code, key: phoneCodeKey(ctx.config) });
        return check.ok ? { ok: true, credentialId: check.phoneId } : { ok: false, reason: 'invalid' };
      });
      if (r.ok) return { ok: true, userId, use: { method: channel } };
      if (r.reason === 'locked') return { ok: false, reason: 'locked', retryAfterMs: r.retryAfterMs, throttle: r.throttle };
      // The code's own answer (expired, replayed, too many tries on this code) is what the person needs to hear.
      const own = (check as CodeCheck).ok ? 'invalid' : (check as Extract<CodeCheck, { ok: false }>).reason;
      return { ok: false, reason: own === 'locked' ? 'code_locked' : own, justLocked: r.justLocked, retryAfterMs: r.retryAfterMs };
    },
  };
}

export const smsFactor = phone('sms');
export const voiceFactor = phone('voice');
