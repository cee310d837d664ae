import type { AppContext } from '../../app/context.ts';
import { nextStep, signinRequirement, transactionUses, unmetStrengths } from '../strength-requirement.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { loadUserFacts } from '../user-facts.ts';
import { show, type StepOutcome } from './outcome.ts';
import { RECOVERY_HOLD_MESSAGE, recoveryHoldBlocks } from '../../recovery/holds.ts';

/** Second factors this engine can verify, strongest first: the default offered. */
const VERIFIABLE = ['webauthn', 'totp', 'backup_code'] as const;

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
  // What must be reached, as authentication strengths (src/signin/strength-requirement.ts).
  const required = await signinRequirement(ctx, facts, t.requiredAcr ? [t.requiredAcr] : []);
  const uses = transactionUses(t);
  if (unmetStrengths(required, uses).length === 0) {
    t.step = 'done';
    await saveTransaction(ctx.store.db, t);
    return { kind: 'complete', transaction: t };
  }
  const next = nextStep(required, uses, facts, VERIFIABLE);
  if (!next) {
    t.step = 'failed';
    await saveTransaction(ctx.store.db, t);
    return show(t, 'This sign-in needs a method that is not registered to your account (for example a security key or passkey). Add one on your security page, or ask your helpdesk.', 403);
  }
  t.step = next as SigninTransaction['step'];
  await saveTransaction(ctx.store.db, t);
  return show(t);
}

/** The second factors a user may pick from on the "choose another method" page. */
export async function availableSecondFactors(ctx: AppContext, userId: string): Promise<string[]> {
  const facts = await loadUserFacts(ctx.store.db, userId);
  return VERIFIABLE.filter((m) => facts?.secondFactors.includes(m));
}
