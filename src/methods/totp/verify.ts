import type { MethodContext } from '../context.ts';
import type { VerifyOptions, VerifyResult } from '../method.ts';
import { throttledVerification } from '../throttle/index.ts';
import { activeCredentials, openSeed, settingsOf } from './credentials.ts';
import { matchingSteps } from './otp.ts';

/**
 * Checks a code from any of the user's active authenticators. Each code is
 * accepted once: a credential remembers the last time step it accepted, and a
 * step at or before it is a replay. Recording the step is one conditional
 * UPDATE (… WHERE last_step < step), so of two nodes given the same code at
 * the same moment exactly one succeeds. Every try goes through the throttle.
 */
export async function verifyTotp(ctx: MethodContext, userId: string, code: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const now = options.now ?? new Date();
  const credentials = await activeCredentials(ctx.store.db, userId);
  if (credentials.length === 0) return { ok: false, reason: 'not_registered' };
  const given = code.replace(/[\s-]/g, '');
  return throttledVerification(ctx.store, { userId, method: 'totp', ip: options.ip, now }, async () => {
    let replayed = false;
    for (const cred of credentials) {
      const steps = matchingSteps(openSeed(ctx.secrets, cred), settingsOf(cred), given, now);
      const fresh = steps.filter((s) => s > cred.last_step);
      if (steps.length > fresh.length) replayed = true;
      for (const step of fresh) {
        const res = await ctx.store.db
          .updateTable('totp_credentials')
          .set({ last_step: step, last_used_at: now.toISOString() })
          .where('id', '=', cred.id)
          .where('status', '=', 'active')
          .where('last_step', '<', step)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) return { ok: true, credentialId: cred.id };
        replayed = true; // another request took this step (or a later one) first
      }
    }
    return { ok: false, reason: replayed ? 'replayed' : 'invalid' };
  });
}
