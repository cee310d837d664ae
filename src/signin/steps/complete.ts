import type { AppContext } from '../../app/context.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { decisionForLog } from '../../policy/access/refusals.ts';
import type { AccessDecision } from '../../policy/access/request.ts';
import { amrForUses, transactionUses } from '../strength-requirement.ts';
import { createSession, revokeSession, type IdpSession } from '../session/sessions.ts';
import { endTransaction, type SigninTransaction } from '../transaction.ts';
import { signinHooks } from '../hooks.ts';
import type { RequestFacts, StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { decideNext } from './next.ts';

export interface Completed {
  userId: string;
  amr: string[];
  acr: string;
  /** The cookie to hand the browser: a new session, or the stepped-up one under a new token. */
  sessionToken?: string;
  sessionId: string;
  authTime: Date;
  /** false: a conditional-access session control asks for no persistent session (the cookie ends with the browser). */
  persistent?: boolean;
}

export type Completion = { kind: 'completed'; done: Completed } | Extract<StepOutcome, { kind: 'show' }>;

/**
 * Ends a successful sign-in: a new IdP session (a step-up replaces the old
 * one under a new token, so a token seen before the step-up never carries the
 * stronger session); one success row in the sign-in log; the transaction
 * removed so it cannot be finished twice. The decision that allowed it holds
 * for the address it was made for: from another address it is asked again.
 */
export async function completeSignin(
  ctx: AppContext,
  t: SigninTransaction,
  req: RequestFacts,
  current: IdpSession | null,
  decided: AccessDecision,
  /** session: false for a client that keeps no Tessera session (a RADIUS request): the decision and the log row only. */
  options: { session?: boolean } = {},
): Promise<Completion> {
  const db = ctx.store.db;
  let decision = decided;
  if (req.ip !== t.ip) {
    t.ip = req.ip;
    const again = await decideNext(ctx, t, req.ip);
    if (again.kind === 'show') return again;
    decision = again.decision;
  }
  const userId = t.userId!;
  const uses = transactionUses(t);
  const amr = amrForUses(uses);
  const { acr, strength } = decision.reached;
  const persistent = decision.session.persistent;
  await writeSigninLog(db, { ...logBase(t, req, 'success', t.sessionId ? 'step_up' : 'ok'), strength, ...decisionForLog(decision) });
  await endTransaction(db, t.id);
  const hooks = signinHooks();
  await hooks.afterSignin(ctx, t, req);
  if (options.session === false) {
    return { kind: 'completed', done: { userId, amr, acr, sessionId: '', authTime: new Date(), persistent: false } };
  }
  const stepUp = current && t.sessionId === current.id && current.userId === userId ? current : null;
  let notAfter = await hooks.sessionNotAfter(ctx, t);
  // A step-up never extends how long the session may last.
  if (stepUp && (!notAfter || stepUp.absoluteExpiresAt < notAfter)) notAfter = stepUp.absoluteExpiresAt;
  const { token, session } = await createSession(
    db,
    { userId, amr, acr, mfa: amr.includes('mfa'), ip: req.ip, userAgent: req.userAgent, notAfter, strength, methodUses: uses },
    ctx.config.session,
  );
  if (stepUp) await revokeSession(db, stepUp.id);
  return { kind: 'completed', done: { userId, amr, acr, sessionToken: token, sessionId: session.id, authTime: session.authTime, persistent } };
}
