import type { AppContext } from '../../app/context.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { askAccess } from '../../policy/store/access-gate.ts';
import { REFUSAL_LOG_REASON, reportOnlyForLog } from '../../policy/access/refusals.ts';
import type { Completed } from '../steps/complete.ts';
import { refusalMessage } from '../texts.ts';
import type { IdpSession } from './sessions.ts';

export type Reuse =
  | { kind: 'allow'; done: Completed }
  | { kind: 'refused'; message: string }
  /** reauthenticate: the sign-in frequency has passed, so the whole sign-in is asked again. */
  | { kind: 'step_up'; reauthenticate: boolean };

export interface ReuseInput {
  clientId: string | null;
  ip: string;
  userAgent: string | null;
  requestedAcr: readonly string[];
  deviceId: string | null;
}

/**
 * A live session reaching another app: the access decision with the
 * session's methods and their time, for this app, address and device. An
 * allowed or refused reuse is one sign-in log row (report-only results with
 * it) unless the caller asks for none; a step-up is logged by the sign-in that follows.
 */
export async function reuseSession(ctx: AppContext, session: IdpSession, input: ReuseInput, options: { log?: boolean } = {}): Promise<Reuse> {
  const db = ctx.store.db;
  const { decision } = await askAccess(db, {
    via: 'session', userId: session.userId, clientId: input.clientId, ip: input.ip, methodsUsed: session.methodUses,
    authTime: session.authTime, requestedAcr: input.requestedAcr, deviceId: input.deviceId,
  });
  const o = decision.outcome;
  if (o.kind === 'step_up') return { kind: 'step_up', reauthenticate: o.reauthenticate };
  const allowed = o.kind === 'allow';
  // Every page of the portal checks its session; those checks are not sign-ins of their own.
  if (options.log !== false) await writeSigninLog(db, {
    userId: session.userId, clientId: input.clientId, ip: input.ip, userAgent: input.userAgent,
    methodsUsed: session.methodUses.map((u) => u.method), result: allowed ? 'success' : 'failure',
    reason: allowed ? 'session_reused' : REFUSAL_LOG_REASON[o.refusal], strength: allowed ? decision.reached.strength : null,
    reportOnly: reportOnlyForLog(decision),
  });
  if (!allowed) return { kind: 'refused', message: refusalMessage(o) };
  return {
    kind: 'allow',
    done: {
      userId: session.userId, amr: session.amr, acr: decision.reached.acr, sessionId: session.id, authTime: session.authTime,
      persistent: decision.session.persistent,
    },
  };
}
