import type { AppContext } from '../../app/context.ts';
import { ACR, acrFor, acrRank, acrSatisfies, requiredAcr } from '../acr.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { loadUserFacts } from '../user-facts.ts';
import { show, type StepOutcome } from './outcome.ts';
import { RECOVERY_HOLD_MESSAGE, recoveryHoldBlocks } from '../../recovery/holds.ts';

/** Second factors this engine can verify, strongest first: the default offered. */
const VERIFIABLE = ['totp', 'backup_code'] as const;

/**
 * After each verified factor: is what the session must reach reached? If not,
 * ask for a second factor the user has, or, when they have none yet, interrupt
 * with registration (an admin is never let through on a password alone).
 */
export async function decideNext(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  const facts = t.userId ? await loadUserFacts(ctx.store.db, t.userId) : null;
  if (!facts) {
    t.step = 'failed';
    await saveTransaction(ctx.store.db, t);
    return show(t, 'This sign-in cannot continue. Start again.', 400);
  }
  if (await recoveryHoldBlocks(ctx.store.db, t.userId!, t.methodsUsed, facts.secondFactors)) {
    t.step = 'failed';
    await saveTransaction(ctx.store.db, t);
    return show(t, RECOVERY_HOLD_MESSAGE, 403);
  }
  const required = requiredAcr({
    isAdmin: facts.isAdmin,
    hasSecondFactor: facts.secondFactors.length > 0,
    requestedAcr: t.requiredAcr ? [t.requiredAcr] : [],
  });
  if (acrSatisfies(acrFor(t.methodsUsed), required.acr)) {
    t.step = 'done';
    await saveTransaction(ctx.store.db, t);
    return { kind: 'complete', transaction: t };
  }
  if (acrRank(required.acr) > acrRank(ACR.mfa)) {
    t.step = 'failed';
    await saveTransaction(ctx.store.db, t);
    return show(t, 'This app requires a phishing-resistant method (a security key or passkey) that cannot be used here yet.', 403);
  }
  const available = VERIFIABLE.filter((m) => facts.secondFactors.includes(m) && !t.methodsUsed.includes(m));
  t.step = available[0] ?? 'register_totp';
  await saveTransaction(ctx.store.db, t);
  return show(t);
}

/** The second factors a user may pick from on the "choose another method" page. */
export async function availableSecondFactors(ctx: AppContext, userId: string): Promise<string[]> {
  const facts = await loadUserFacts(ctx.store.db, userId);
  return VERIFIABLE.filter((m) => facts?.secondFactors.includes(m));
}
