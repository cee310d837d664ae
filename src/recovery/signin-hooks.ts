import type { AppContext } from '../app/context.ts';
import { findUserById } from '../directory/users.ts';
import { raiseAlert } from '../monitor/alerts.ts';
import type { SigninTransaction } from '../signin/transaction.ts';
import { isOnRecoveryHold, liftHold } from './holds.ts';
import { registerSigninHooks } from '../signin/hooks.ts';
import { tapSessionNotAfter } from './tap/verify.ts';

/**
 * What recovery adds to a sign-in, registered with the engine at the
 * composition root (src/signin/hooks.ts), so the engine imports no recovery code.
 */
export function installRecoveryHooks(): void {
  registerSigninHooks({ onRecoveryHold: isOnRecoveryHold, sessionNotAfter, afterSignin });
}

/** A session started with a Temporary Access Pass ends when the pass does. */
export async function sessionNotAfter(ctx: AppContext, t: SigninTransaction): Promise<Date | undefined> {
  if (!t.methodsUsed.includes('tap')) return undefined;
  return tapSessionNotAfter(ctx.store.db, t.id);
}

/**
 * Every sign-in of a break-glass account raises a high-severity alert; a
 * sign-in with a pass lifts any recovery hold (a new method was registered in it).
 */
export async function afterSignin(
  ctx: AppContext,
  t: SigninTransaction,
  req: { ip: string; userAgent: string | null; requestId: string },
): Promise<void> {
  if (!t.userId) return;
  const user = await findUserById(ctx.store.db, t.userId);
  if (!user) return;
  if (t.methodsUsed.includes('tap')) await liftHold(ctx.store.db, user.id);
  if (user.kind === 'break_glass') {
    await raiseAlert(ctx.store.db, {
      severity: 'high',
      kind: 'breakglass.signin',
      userId: user.id,
      username: user.username,
      details: {
        methods: t.methodsUsed,
        clientId: t.clientId,
        ip: req.ip,
        userAgent: req.userAgent,
        transactionId: t.id,
        requestId: req.requestId,
        stepUp: t.sessionId !== null,
      },
    });
  }
}
