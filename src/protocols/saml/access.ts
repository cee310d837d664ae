import type { AppContext } from '../../app/context.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { askAccess } from '../../policy/store/access-gate.ts';
import { REFUSAL_LOG_REASON, reportOnlyForLog } from '../../policy/access/refusals.ts';
import type { IdpSession } from '../../signin/session/sessions.ts';
import { refusalMessage } from '../../signin/texts.ts';

/**
 * The SAML grant point: before every assertion, the one access decision
 * (src/policy/access/decide.ts) is asked with the live session's methods, for
 * this SP as an app of client type saml. It decides; this only acts:
 * allow → an assertion, block → the refusal page, step_up → the sign-in pages.
 */
export type SamlAccess =
  | { kind: 'allow'; acr: string }
  | { kind: 'refused'; message: string }
  | { kind: 'step_up'; reauthenticate: boolean };

export interface SamlAccessInput {
  /** The SP's registered name: the app id policies and the sign-in log use. */
  app: string;
  ip: string;
  userAgent: string | null;
  requestedAcr: readonly string[];
  deviceId: string | null;
  /**
   * The sign-in pages just signed this person in for this request and logged it;
   * only a refusal now is a row of its own (one row per SAML sign-in).
   */
  justSignedIn: boolean;
}

export async function askSamlAccess(ctx: AppContext, session: IdpSession, input: SamlAccessInput): Promise<SamlAccess> {
  const db = ctx.store.db;
  const { decision } = await askAccess(db, {
    via: 'saml', clientType: 'saml', userId: session.userId, clientId: input.app, ip: input.ip, methodsUsed: session.methodUses,
    authTime: session.authTime, requestedAcr: input.requestedAcr, deviceId: input.deviceId,
  });
  const o = decision.outcome;
  if (o.kind === 'step_up') return { kind: 'step_up', reauthenticate: o.reauthenticate };
  const allowed = o.kind === 'allow';
  if (!allowed || !input.justSignedIn) await writeSigninLog(db, {
    userId: session.userId, clientId: input.app, ip: input.ip, userAgent: input.userAgent, methodsUsed: session.methodUses.map((u) => u.method),
    result: allowed ? 'success' : 'failure', reason: allowed ? 'session_reused' : REFUSAL_LOG_REASON[o.refusal],
    strength: allowed ? decision.reached.strength : null, reportOnly: reportOnlyForLog(decision),
  });
  return allowed ? { kind: 'allow', acr: decision.reached.acr } : { kind: 'refused', message: refusalMessage(o) };
}
