import type { AppContext } from '../../app/context.ts';
import { reuseSession } from '../../signin/session/reuse.ts';
import type { IdpSession } from '../../signin/session/sessions.ts';

/**
 * The SAML grant point: before every assertion, the live session is reused
 * through the same path as for any app (src/signin/session/reuse.ts, the one
 * access decision), for this SP as an app of client type saml. It decides; this only acts:
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
  const reuse = await reuseSession(
    ctx, session,
    { via: 'saml', clientId: input.app, ip: input.ip, userAgent: input.userAgent, requestedAcr: input.requestedAcr, deviceId: input.deviceId },
    { log: input.justSignedIn ? 'refusals' : 'always' },
  );
  return reuse.kind === 'allow' ? { kind: 'allow', acr: reuse.done.acr } : reuse;
}
