import { RefusedError } from '../../../directory/errors.ts';
import type { StepHandler } from './types.ts';

/**
 * Detected from the sign-in log: a successful sign-in of the person without
 * a pass, after the new method was registered. Its time is when the person
 * counts as recovered.
 */
export const signinConfirmed: StepHandler = async (c) => {
  const registered = c.done.find((s) => s.step === 'new_method_registered' && s.outcome === 'done');
  const since = registered?.at ?? c.kase.opened_at;
  const rows = await c.trx
    .selectFrom('signin_log')
    .select(['id', 'at', 'methods_used', 'client_id'])
    .where('user_id', '=', c.kase.user_id)
    .where('result', '=', 'success')
    .where('at', '>', since)
    .orderBy('at')
    .limit(200)
    .execute();
  const normal = rows.find((r) => !(JSON.parse(r.methods_used) as string[]).includes('tap'));
  if (!normal) {
    throw new RefusedError(`no normal sign-in (without the pass) by ${c.kase.username} since ${since}: ask the person to sign in with the new method`);
  }
  return {
    details: { signinId: normal.id, at: normal.at, methods: JSON.parse(normal.methods_used) as string[], clientId: normal.client_id },
    casePatch: { recovered_at: normal.at },
  };
};
