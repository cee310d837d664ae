import type { AppContext } from '../app/context.ts';
import type { IdpSession } from './session/sessions.ts';
import { loadUserFacts } from './user-facts.ts';

/** Within this, a sign-in counts as recent for sensitive changes (adding or removing methods). */
export const RECENT_AUTH_MS = 10 * 60 * 1000;

/**
 * What a step-up (re-verification) inside an existing session starts from.
 * The password already proven in the session counts, so a user with a second
 * factor is asked only for that; a user without one re-enters the password.
 */
export async function stepUpMethods(
  ctx: AppContext,
  session: IdpSession,
): Promise<{ sessionId: string; userId: string; username: string; methods: string[] } | undefined> {
  const facts = await loadUserFacts(ctx.store.db, session.userId);
  if (!facts) return undefined;
  const hasSecond = facts.secondFactors.length > 0;
  return {
    sessionId: session.id,
    userId: session.userId,
    username: facts.user.username,
    methods: hasSecond && session.amr.includes('pwd') ? ['password'] : [],
  };
}

/**
 * The recent-MFA rule for self-service changes: MFA within the last ten
 * minutes, or, for a user with no second factor yet, a password sign-in
 * within the last ten minutes.
 */
export async function hasRecentAuth(ctx: AppContext, session: IdpSession, now = new Date()): Promise<boolean> {
  const facts = await loadUserFacts(ctx.store.db, session.userId);
  if (!facts) return false;
  const at = facts.secondFactors.length > 0 ? session.mfaAt : session.authTime;
  return !!at && now.getTime() - at.getTime() <= RECENT_AUTH_MS;
}
