import type { AppContext } from '../../app/context.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { askAccess } from '../../policy/store/access-gate.ts';
import type { KnownSubject } from '../../policy/store/facts.ts';
import { REFUSAL_LOG_REASON, decisionForLog } from '../../policy/access/refusals.ts';
import type { Completed } from '../steps/complete.ts';
import { refusalMessage } from '../texts.ts';
import type { IdpSession } from './sessions.ts';

export type Reuse =
  /** subject: the person as the decision loaded them (callers need not read them again). */
  | { kind: 'allow'; done: Completed; subject: KnownSubject | null }
  | { kind: 'refused'; message: string }
  /** reauthenticate: the sign-in frequency has passed, so the whole sign-in is asked again. */
  | { kind: 'step_up'; reauthenticate: boolean };

export interface ReuseInput {
  /** Where the session is reused: an OIDC app or the portal (session), or a SAML service provider. */
  via?: 'session' | 'saml';
  clientId: string | null;
  ip: string;
  userAgent: string | null;
  requestedAcr: readonly string[];
  deviceId: string | null;
  /** When the person last used this app (the console tracks it): a policy's idle limit counts from here. */
  lastActiveAt?: Date | null;
}

/**
 * A live session reaching another app: the access decision with the
 * session's methods and their time, for this app, address and device. An
 * allowed or refused reuse is one sign-in log row (report-only results with
 * it): `log` 'never' for the portal's page checks, 'refusals' when the sign-in
 * pages just logged this very sign-in, 'allowed' when a refusal is logged where
 * the browser is sent next. A step-up is logged by the sign-in that follows.
 */
export async function reuseSession(
  ctx: AppContext, session: IdpSession, input: ReuseInput, options: { log?: 'always' | 'refusals' | 'allowed' | 'never' } = {},
): Promise<Reuse> {
  const db = ctx.store.db;
  const { decision, subject } = await askAccess(db, {
    via: input.via ?? 'session', clientType: input.via === 'saml' ? 'saml' : undefined, userId: session.userId, clientId: input.clientId, ip: input.ip, methodsUsed: session.methodUses,
    authTime: session.authTime, requestedAcr: input.requestedAcr, deviceId: input.deviceId, lastActiveAt: input.lastActiveAt ?? null,
  });
  const o = decision.outcome;
  if (o.kind === 'step_up') return { kind: 'step_up', reauthenticate: o.reauthenticate };
  const allowed = o.kind === 'allow';
  const log = options.log ?? 'always';
  if (log === 'always' || log === (allowed ? 'allowed' : 'refusals')) await writeSigninLog(db, {
    userId: session.userId, clientId: input.clientId, ip: input.ip, userAgent: input.userAgent,
    methodsUsed: session.methodUses.map((u) => u.method), result: allowed ? 'success' : 'failure',
    reason: allowed ? 'session_reused' : REFUSAL_LOG_REASON[o.refusal], strength: allowed ? decision.reached.strength : null,
    ...decisionForLog(decision),
  });
  if (!allowed) return { kind: 'refused', message: refusalMessage(o) };
  return {
    kind: 'allow',
    subject,
    done: {
      userId: session.userId, amr: session.amr, acr: decision.reached.acr, sessionId: session.id, authTime: session.authTime,
      persistent: decision.session.persistent,
    },
  };
}
