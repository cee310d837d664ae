import type { AppContext } from '../../app/context.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { reached, requestedCustomStrength, transactionUses } from '../strength-requirement.ts';
import { createSession, upgradeSession, type IdpSession } from '../session/sessions.ts';
import { endTransaction, type SigninTransaction } from '../transaction.ts';
import type { RequestFacts } from './outcome.ts';
import { logBase } from './password.ts';
import { afterSignin, sessionNotAfter } from '../../recovery/signin-hooks.ts';
import { evaluateSigninPolicies, type SigninGate } from '../../policy/store/signin-gate.ts';

export interface Completed {
  userId: string;
  amr: string[];
  acr: string;
  /** Set when a new session was created: the cookie to hand the browser. */
  sessionToken?: string;
  sessionId: string;
  authTime: Date;
  /** false: a conditional-access session control asks for no persistent session (the cookie ends with the browser). */
  persistent?: boolean;
}

/**
 * Ends a successful sign-in: a new IdP session, or the stepped-up one gaining
 * the factors just verified; one success row in the sign-in log; the
 * transaction removed so it cannot be finished twice.
 */
export async function completeSignin(
  ctx: AppContext,
  t: SigninTransaction,
  req: RequestFacts,
  current: IdpSession | null,
  /** Conditional access as the engine evaluated it on finding the sign-in complete; evaluated here when absent or made for another address. */
  evaluated?: SigninGate | null,
): Promise<Completed> {
  const db = ctx.store.db;
  const userId = t.userId!;
  // amr/acr and the strongest authentication strength reached, from the methods and their properties.
  const uses = transactionUses(t);
  const { amr, acr, strength } = reached(uses, { custom: await requestedCustomStrength(ctx, t.requiredAcr) });
  // What the report-only policies would have done: kept with the row, never changing the outcome.
  // The engine's evaluation holds only for the address it was made for (a network change mid-sign-in asks again).
  const gate = evaluated !== undefined && req.ip === t.ip ? evaluated : await evaluateSigninPolicies(db, { userId, clientId: t.clientId, ip: req.ip, methodsUsed: uses, transactionId: t.id });
  const reportOnly = gate?.reportOnly.length ? gate.reportOnly : undefined;
  const persistent = gate?.decision.session.persistent ?? true;
  await writeSigninLog(db, { ...logBase(t, req, 'success', t.sessionId ? 'step_up' : 'ok'), strength, reportOnly });
  await endTransaction(db, t.id);
  await afterSignin(ctx, t, req);
  if (current && t.sessionId === current.id && current.userId === userId) {
    await upgradeSession(db, current.id, amr, acr, undefined, { strength, methodUses: uses });
    return { userId, amr, acr, sessionId: current.id, authTime: current.authTime, persistent };
  }
  const { token, session } = await createSession(
    db,
    { userId, amr, acr, mfa: amr.includes('mfa'), ip: req.ip, userAgent: req.userAgent, notAfter: await sessionNotAfter(ctx, t), strength, methodUses: uses },
    ctx.config.session,
  );
  return { userId, amr, acr, sessionToken: token, sessionId: session.id, authTime: session.authTime, persistent };
}
