import type { AppContext } from '../../app/context.ts';
import { nextStep, signinRequirement, transactionUses, unmetStrengths } from '../strength-requirement.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { loadUserFacts } from '../user-facts.ts';
import { show, type StepOutcome } from './outcome.ts';
import { RECOVERY_HOLD_MESSAGE, recoveryHoldBlocks } from '../../recovery/holds.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { blockLogReason, blockMessage, evaluateSigninPolicies } from '../../policy/store/signin-gate.ts';
import { campaignPrompt } from '../../policy/store/campaign.ts';
import { configSnapshot } from '../../policy/store/config-snapshot.ts';
import { logBase } from './password.ts';

/** Second factors this engine can verify, strongest first: the default offered. */
const VERIFIABLE = ['webauthn', 'push', 'totp', 'sms', 'voice', 'backup_code'] as const;

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
  const uses = transactionUses(t);
  const config = await configSnapshot(ctx.store);
  // Conditional access (src/policy): what the enforced policies demand, or a refusal.
  const gate = await evaluateSigninPolicies(ctx.store.db, {
    userId: t.userId!, clientId: t.clientId, ip: t.ip, methodsUsed: uses, transactionId: t.id, subject: facts, config,
  });
  if (gate?.block) {
    t.step = 'blocked';
    await saveTransaction(ctx.store.db, t);
    const req = { ip: t.ip ?? '', userAgent: t.userAgent, requestId: '' };
    await writeSigninLog(ctx.store.db, { ...logBase(t, req, 'failure', blockLogReason(gate.block)), reportOnly: gate.reportOnly.length ? gate.reportOnly : undefined });
    return show(t, blockMessage(gate.block), 403);
  }
  // What must be reached, as authentication strengths (src/signin/strength-requirement.ts).
  const required = await signinRequirement(ctx, facts, t.requiredAcr ? [t.requiredAcr] : [], gate?.strengths ?? [], config);
  if (unmetStrengths(required, uses).length === 0) {
    // The roll-out's registration campaign asks after a normal sign-in (never inside a step-up).
    if (!t.sessionId && (await campaignPrompt(ctx.store.db, t.userId!, new Date(), { methods: facts.methods, stages: config.stages }))) {
      t.step = 'campaign';
      await saveTransaction(ctx.store.db, t);
      return show(t);
    }
    t.step = 'done';
    await saveTransaction(ctx.store.db, t);
    // The gate just evaluated is the one completion records (report-only, session controls): nothing changed since.
    return { kind: 'complete', transaction: t, gate };
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
