import type { AppContext } from '../../app/context.ts';
import { nextStep, transactionUses } from '../strength-requirement.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { loadUserFacts, type UserFacts } from '../user-facts.ts';
import { show, type StepOutcome } from './outcome.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { askAccess } from '../../policy/store/access-gate.ts';
import { REFUSAL_LOG_REASON, decisionForLog } from '../../policy/access/refusals.ts';
import type { AccessDecision, AccessOutcome } from '../../policy/access/request.ts';
import { campaignPrompt } from '../../policy/store/campaign.ts';
import { configSnapshot } from '../../policy/store/config-snapshot.ts';
import { signinHooks } from '../hooks.ts';
import { readsAsBadCredentials, refusalMessage, SIGNIN_TEXT } from '../texts.ts';
import { logBase } from './log.ts';

/** Second factors this engine can verify, strongest first: the default offered. */
export const VERIFIABLE = ['webauthn', 'push', 'totp', 'sms', 'voice', 'backup_code'] as const;
/** Over RADIUS there is no browser for WebAuthn, and nothing can be registered. */
const VERIFIABLE_RADIUS = VERIFIABLE.filter((m) => m !== 'webauthn');

export function verifiableFor(t: Pick<SigninTransaction, 'clientType'>): readonly string[] {
  return t.clientType === 'radius' ? VERIFIABLE_RADIUS : VERIFIABLE;
}

/**
 * After each verified factor, the engine asks the access decision (gather
 * facts → decide → act): complete when it allows, the refusal when it blocks,
 * otherwise the next factor the person has or, when they have none that helps,
 * the registration interrupt (an admin is never let through on a password alone).
 */
export async function decideNext(ctx: AppContext, t: SigninTransaction, ip = t.ip, options: { campaign?: boolean } = {}): Promise<StepOutcome> {
  const db = ctx.store.db;
  const facts = t.userId ? await loadUserFacts(db, t.userId) : null;
  if (!facts) return fail(ctx, t, SIGNIN_TEXT.cannotContinue, 400);
  const uses = transactionUses(t);
  const config = await configSnapshot(ctx.store);
  const { decision } = await askAccess(db, {
    via: t.clientType === 'radius' ? 'radius' : 'signin', clientType: t.clientType, userId: facts.user.id, clientId: t.clientId, ip, methodsUsed: uses, authTime: null,
    requestedAcr: t.requiredAcr ? [t.requiredAcr] : [], transactionId: t.id, subject: facts, config,
    // A hold matters only to someone left with no second factor who did not come in with a pass.
    recoveryHold: facts.secondFactors.length === 0 && !t.methodsUsed.includes('tap') && (await signinHooks().onRecoveryHold(db, facts.user.id)),
  });
  const o = decision.outcome;
  if (o.kind === 'block') return refuse(ctx, t, decision, o);
  if (o.kind === 'allow') {
    // The roll-out's registration campaign asks after a normal sign-in (never inside a step-up).
    if (options.campaign !== false && !t.sessionId && t.clientType === 'browser' && (await campaignPrompt(db, facts.user.id, new Date(), { methods: facts.methods, stages: config.stages }))) {
      return moveTo(ctx, t, 'campaign');
    }
    t.step = 'done';
    await saveTransaction(db, t);
    return { kind: 'complete', transaction: t, decision };
  }
  const next = nextStep(o.missing, uses, facts, verifiableFor(t));
  if (!next) return fail(ctx, t, SIGNIN_TEXT.noUsableMethod, 403);
  return moveTo(ctx, t, next as SigninTransaction['step']);
}

async function moveTo(ctx: AppContext, t: SigninTransaction, step: SigninTransaction['step']): Promise<StepOutcome> {
  t.step = step;
  await saveTransaction(ctx.store.db, t);
  return show(t);
}

async function fail(ctx: AppContext, t: SigninTransaction, message: string, status: number): Promise<StepOutcome> {
  t.step = 'failed';
  await saveTransaction(ctx.store.db, t);
  return show(t, message, status);
}

/** A refusal ends the transaction at the blocked page, or, for accounts that must not be told apart, reads as a wrong password. */
async function refuse(ctx: AppContext, t: SigninTransaction, decision: AccessDecision, o: Extract<AccessOutcome, { kind: 'block' }>): Promise<StepOutcome> {
  const req = { ip: t.ip ?? '', userAgent: t.userAgent, requestId: '' };
  await writeSigninLog(ctx.store.db, { ...logBase(t, req, 'failure', REFUSAL_LOG_REASON[o.refusal]), ...decisionForLog(decision) });
  if (readsAsBadCredentials(o)) {
    // Back to the password, as after a wrong one: what was proven so far no longer counts.
    t.methodsUsed = [];
    t.methodDetails = {};
    t.step = 'password';
    await saveTransaction(ctx.store.db, t);
    return show(t, refusalMessage(o), 401);
  }
  t.step = o.refusal === 'recovery_hold' ? 'failed' : 'blocked';
  await saveTransaction(ctx.store.db, t);
  return show(t, refusalMessage(o), 403);
}

/** The second factors a user may pick from on the "choose another method" page. */
export async function availableSecondFactors(ctx: AppContext, userId: string, facts?: UserFacts | null): Promise<string[]> {
  const f = facts ?? (await loadUserFacts(ctx.store.db, userId));
  return VERIFIABLE.filter((m) => f?.secondFactors.includes(m));
}
