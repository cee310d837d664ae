import type { AppContext } from '../../app/context.ts';
import { findUserById, setUserPassword } from '../../directory/users.ts';
import { InvalidInputError } from '../../directory/errors.ts';
import { passwordManagedElsewhere } from '../../directory/password-source.ts';
import type { Factor } from '../../methods/factor.ts';
import { totpFactor } from '../../methods/totp/factor.ts';
import { backupCodeFactor } from '../../methods/backup-codes/factor.ts';
import { passkeyFactor } from '../../methods/webauthn/factor.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { endAccessIn } from '../../signin/session/revoke-everywhere.ts';
import { saveTransaction, type SigninTransaction } from '../../signin/transaction.ts';
import { show, type RequestFacts, type StepOutcome } from '../../signin/steps/outcome.ts';
import { logBase } from '../../signin/steps/log.ts';
import { lockedMessage, RESET_TEXT, SIGNIN_TEXT } from '../../signin/texts.ts';
import { isOnRecoveryHold } from '../holds.ts';

/**
 * "Forgot your password?" without e-mail: the person proves two other factors
 * (a user-verified passkey, or an authenticator code and a backup code), then
 * sets a new password. Nothing here signs anyone in: the proofs never join
 * the transaction's methods, the access decision is never asked, and the
 * person signs in afterwards with the new password like everyone else.
 * Everyone else (no such factors, a recovery hold, a directory password) goes
 * to the helpdesk, who issues a Temporary Access Pass.
 */

/** "Forgot your password?" on the password page, offered for every name typed. */
export async function chooseReset(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  if (!t.usernameTyped || t.sessionId) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  return moveTo(ctx, t, 'reset');
}

export async function backToPassword(ctx: AppContext, t: SigninTransaction): Promise<StepOutcome> {
  return moveTo(ctx, t, 'password');
}

/** An authenticator code and a backup code, both checked under their own throttles. */
export async function submitResetCodes(ctx: AppContext, t: SigninTransaction, codes: { totp: string; backup: string }, req: RequestFacts): Promise<StepOutcome> {
  if (!codes.totp.trim() || !codes.backup.trim()) return show(t, RESET_TEXT.bothCodes, 400);
  const first = await prove(ctx, t, totpFactor, codes.totp, req);
  if (first) return first;
  return (await prove(ctx, t, backupCodeFactor, codes.backup, req)) ?? proven(ctx, t, req);
}

/** A passkey with user verification: possession and a PIN or biometric, two factors in one. */
export async function submitResetPasskey(ctx: AppContext, t: SigninTransaction, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  return (await prove(ctx, t, passkeyFactor, response, req)) ?? proven(ctx, t, req);
}

/** The new password, twice: set under the password rules; every session and app token of the person ends. */
export async function submitNewPassword(ctx: AppContext, t: SigninTransaction, next: string, confirm: string, req: RequestFacts): Promise<StepOutcome> {
  if (!t.userId) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  if (next !== confirm) return show(t, RESET_TEXT.mismatch, 400);
  try {
    await setUserPassword(ctx.store, t.userId, next, { actor: `user:${t.userId}`, requestId: req.requestId }, {
      // The person holds second factors (they just proved two): the shorter minimum applies.
      singleFactor: false, issuer: ctx.config.issuer, endAccess: endAccessIn,
    });
  } catch (err) {
    if (err instanceof InvalidInputError) return show(t, RESET_TEXT.rules(err.message), 400);
    throw err;
  }
  await writeSigninLog(ctx.store.db, logBase(t, req, 'interrupted', 'password_reset'));
  return moveTo(ctx, t, 'reset_done');
}

/** Proves one factor of the reset; a failure is one log row and a plain message, null when it held. */
async function prove(ctx: AppContext, t: SigninTransaction, factor: Factor, response: unknown, req: RequestFacts): Promise<StepOutcome | null> {
  t.methodsTried.push(factor.method);
  const r = await factor.verify(ctx, {
    userId: t.userId ?? undefined, throttleAs: t.userId ?? `unknown:${(t.usernameTyped ?? '').toLowerCase()}`,
    response, transactionId: t.id, ip: req.ip, requestId: req.requestId,
  });
  // A passkey names its owner: it must be the person whose name was typed.
  if (r.ok && r.userId === t.userId) return null;
  await saveTransaction(ctx.store.db, t);
  const locked = !r.ok && (r.reason === 'locked' || r.justLocked === true);
  await writeSigninLog(ctx.store.db, logBase(t, req, locked ? 'locked' : 'failure', `reset_${factor.logAs}_${r.ok ? 'not_owner' : r.reason}`));
  return locked && !r.ok ? show(t, lockedMessage(r.retryAfterMs), 429) : show(t, RESET_TEXT.failed, 401);
}

/** Two factors proven: the new-password page, unless this account's password cannot be reset here. */
async function proven(ctx: AppContext, t: SigninTransaction, req: RequestFacts): Promise<StepOutcome> {
  const db = ctx.store.db;
  const user = t.userId ? await findUserById(db, t.userId) : undefined;
  const reason = !user || user.status !== 'active' || user.kind !== 'person' ? 'not_here'
    : (await isOnRecoveryHold(db, user.id)) ? 'recovery_hold'
      : (await passwordManagedElsewhere(db, user.id)) ? 'directory_password' : null;
  if (reason) {
    await writeSigninLog(db, logBase(t, req, 'failure', `reset_${reason}`));
    t.step = 'failed';
    await saveTransaction(db, t);
    return show(t, reason === 'directory_password' ? RESET_TEXT.elsewhere : RESET_TEXT.notHere, 403);
  }
  return moveTo(ctx, t, 'reset_password');
}

async function moveTo(ctx: AppContext, t: SigninTransaction, step: SigninTransaction['step']): Promise<StepOutcome> {
  t.step = step;
  await saveTransaction(ctx.store.db, t);
  return show(t);
}
