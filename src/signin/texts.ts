import type { AccessOutcome } from '../policy/access/request.ts';

/**
 * What the sign-in pages say, in one place: plain language, never a code.
 * Steps return these; page files only render them.
 */
export const SIGNIN_TEXT = {
  cannotContinue: 'This sign-in cannot continue. Start again.',
  badCredentials: 'Incorrect username or password.',
  enterUsername: 'Enter your username.',
  usernameTooLong: 'That username is too long.',
  enterCode: 'Enter the code.',
  methodNotAvailable: 'That method is not available for your account.',
  methodNotAllowed: 'This method is not allowed for your account. Use another method.',
  noUsableMethod:
    'This sign-in needs a method that is not registered to your account (for example a security key or passkey). Add one on your security page, or ask your helpdesk.',
  policyBlocked: (policy: string) =>
    `Your organisation's access policy "${policy}" does not allow this sign-in. If you think this is wrong, contact your helpdesk.`,
  deviceNotCompliant: (policy: string) =>
    `This app can only be used from a device your organisation manages and reports compliant ("${policy}"). Sign in from such a device, or ask your helpdesk.`,
  signInAgain: 'For your security, this app asks you to sign in again.',
} as const;

/** The message for a refusal by the access decision. Disabled and service accounts read as a wrong password: no enumeration. */
export function refusalMessage(outcome: Extract<AccessOutcome, { kind: 'block' }>): string {
  const name = outcome.policy?.name ?? '';
  switch (outcome.refusal) {
    case 'device_not_compliant':
      return SIGNIN_TEXT.deviceNotCompliant(name);
    case 'policy_blocked':
      return SIGNIN_TEXT.policyBlocked(name);
    case 'account_disabled':
    case 'service_account_interactive':
      return SIGNIN_TEXT.badCredentials;
    case 'recovery_hold':
      return RECOVERY_HOLD_TEXT;
    default:
      return SIGNIN_TEXT.signInAgain;
  }
}

export const RECOVERY_HOLD_TEXT =
  'Your sign-in methods were removed (for example after a device was reported lost). Contact your helpdesk: after checking who you are, they will give you a Temporary Access Pass.';

/** Refusals shown as a wrong password on the page the person is at, rather than as the blocked page. */
export function readsAsBadCredentials(outcome: Extract<AccessOutcome, { kind: 'block' }>): boolean {
  return outcome.refusal === 'account_disabled' || outcome.refusal === 'service_account_interactive';
}

/** Throttled: how long to wait, or that the helpdesk must unlock it. */
export function lockedMessage(retryAfterMs: number | null | undefined): string {
  if (retryAfterMs === null || retryAfterMs === undefined) {
    return 'Too many failed attempts: this is locked until your helpdesk unlocks it.';
  }
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return retryAfterMs < 60_000
    ? `Too many attempts. Wait ${Math.ceil(retryAfterMs / 1000)} seconds and try again.`
    : `Too many failed attempts: this is locked for about ${minutes} minute${minutes === 1 ? '' : 's'}. Try later or contact your helpdesk.`;
}
