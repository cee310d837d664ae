import type { AppContext } from '../../../app/context.ts';
import { setUserPassword } from '../../../directory/users.ts';
import { InvalidInputError } from '../../../directory/errors.ts';
import { verifyPasswordAttempt } from '../../../methods/password/attempt.ts';
import type { IdpSession } from '../../../signin/session/sessions.ts';
import { endAccessIn } from '../../../signin/session/revoke-everywhere.ts';
import { lockedMessage, RESET_TEXT } from '../../../signin/texts.ts';
import { passwordManagedElsewhere } from '../../../directory/password-source.ts';

/** What the person reads on the change-password page. */
export const PASSWORD_CHANGE_TEXT = {
  wrongCurrent: 'Your current password is not right.',
  mismatch: 'The two new passwords are not the same.',
  same: 'The new password must be different from the current one.',
  elsewhere: 'Your password is kept in your organisation’s directory. Change it there.',
} as const;

export type PasswordChange = { ok: true } | { ok: false; status: number; message: string };

/**
 * A person changes their own password from a session that proved a second
 * factor in the last minutes (the caller checks that): the current password
 * is checked under the same throttle as a sign-in, the new one against the
 * password rules, and in the same audited transaction every other session and
 * every app session and token of the person ends. Their own session goes on.
 */
export async function changeOwnPassword(
  ctx: AppContext,
  session: IdpSession,
  input: { current: string; next: string; confirm: string; ip: string; requestId: string },
): Promise<PasswordChange> {
  if (await passwordManagedElsewhere(ctx.store.db, session.userId)) return { ok: false, status: 409, message: PASSWORD_CHANGE_TEXT.elsewhere };
  if (input.next !== input.confirm) return { ok: false, status: 400, message: PASSWORD_CHANGE_TEXT.mismatch };
  if (input.next === input.current) return { ok: false, status: 400, message: PASSWORD_CHANGE_TEXT.same };
  const check = await verifyPasswordAttempt(ctx.store, { userId: session.userId, password: input.current, ip: input.ip });
  if (!check.ok) {
    return check.reason === 'locked'
      ? { ok: false, status: 429, message: lockedMessage(check.retryAfterMs) }
      : { ok: false, status: 400, message: PASSWORD_CHANGE_TEXT.wrongCurrent };
  }
  const by = { actor: `user:${session.userId}`, requestId: input.requestId };
  try {
    await setUserPassword(ctx.store, session.userId, input.next, by, {
      // The session proved a second factor: the shorter minimum for a password that is not the only factor.
      singleFactor: false,
      issuer: ctx.config.issuer,
      endAccess: (trx, userId) => endAccessIn(trx, userId, { keep: session.id }),
    });
  } catch (err) {
    if (err instanceof InvalidInputError) return { ok: false, status: 400, message: RESET_TEXT.rules(err.message) };
    throw err;
  }
  return { ok: true };
}
