import type { AccessOutcome } from '../policy/access/request.ts';

/**
 * What the sign-in pages say, in one place: plain language, never a code.
 * Steps return these; page files only render them.
 */
export const SIGNIN_TEXT = {
  cannotContinue: 'This sign-in cannot continue. Start again.',
  badCredentials: 'Incorrect username or password.',
  enterUsername: 'Enter your username.',
  enterUsernameFirst: 'Enter your username first.',
  enterPass: 'Enter the pass your helpdesk gave you.',
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
  pushNotYetApproved: 'The request has not been approved yet. Enter the number on your authenticator, then continue.',
  pushNotSent: 'No new request was sent.',
  registrationCodeWrong: 'That code is not right. Scan the QR code again if needed and enter the current code.',
} as const;

/** The "forgot your password" pages (src/recovery/password-reset). */
export const RESET_TEXT = {
  intro:
    'Prove it is you with two of your other sign-in methods: a passkey on its own, or a code from your authenticator app together with one of your backup codes.',
  helpdesk: 'Have neither? Ask your helpdesk: they check who you are and give you a Temporary Access Pass.',
  failed: 'That did not work. Check the codes and try again, or ask your helpdesk.',
  bothCodes: 'Enter a code from your authenticator app and one of your backup codes.',
  notHere: 'Your password cannot be reset here. Ask your helpdesk: they check who you are and give you a Temporary Access Pass.',
  elsewhere: 'Your password is kept in your organisation’s directory. Reset it there, or ask your helpdesk.',
  mismatch: 'The two new passwords are not the same.',
  /** The password rules' reason as a sentence (also on the account page's change form). */
  rules: (reason: string) => `This password ${reason.replace(/^password /, '').replace(/[.!]$/, '')}.`,
  done: 'Your password is changed, and every browser and app signed in as you has been signed out. Sign in with your new password.',
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

const WEBAUTHN_INVALID = 'That security key or passkey could not be verified. Try again, or use another method.';
const WEBAUTHN_CLONE = 'This security key or passkey cannot be accepted: it may have been copied. Use another method and tell your helpdesk.';
const WEBAUTHN_SUSPENDED = 'This security key or passkey is suspended because it may have been copied. Use another method; your helpdesk can restore it.';
const PHONE = {
  invalid: 'That code is not right. Check the latest message and try again.',
  expired: 'That code has expired. Send a new code.',
  replayed: 'That code was already used. Send a new code.',
  code_locked: 'Too many wrong codes. Send a new code, or use another method.',
  not_allowed: SIGNIN_TEXT.methodNotAllowed,
};
export const BAD_PASS = 'That Temporary Access Pass is not valid. Check it with your helpdesk.';

/** What a refused factor tells the person, by factor (its log name) and reason; "invalid" when the reason has no text of its own. */
export const FACTOR_TEXT: Record<string, Record<string, string>> = {
  password: { invalid: SIGNIN_TEXT.badCredentials },
  totp: { invalid: 'That code is not right. Check the time on your device and enter the current code.', replayed: 'That code was already used. Wait for the next code.' },
  backup_code: { invalid: 'That backup code is not valid or was already used.' },
  webauthn: { invalid: WEBAUTHN_INVALID, clone_detected: WEBAUTHN_CLONE, suspended: WEBAUTHN_SUSPENDED },
  passkey: { invalid: WEBAUTHN_INVALID, not_registered: 'That passkey is not registered here. Enter your username instead.', clone_detected: WEBAUTHN_CLONE, suspended: WEBAUTHN_SUSPENDED },
  sms: PHONE,
  voice: PHONE,
  push: { invalid: 'That approval could not be used. Send a new request.', replayed: 'That approval was already used. Send a new request.', not_approved: 'The request has not been approved yet. Enter the number on your authenticator, then continue.' },
  tap: {
    invalid: BAD_PASS,
    pending_approval: 'This pass is waiting for a second administrator to approve it. Try again once your helpdesk confirms it is approved.',
    not_yet_valid: 'This pass is not valid yet. Use it from the start time your helpdesk gave you.',
    expired: 'This pass has expired. Ask your helpdesk for a new one.',
    used: 'This pass was already used. Ask your helpdesk for a new one.',
  },
};

/** Refusals answered with another status than 401. */
export const FACTOR_STATUS: Record<string, number> = { replayed_push: 409, not_approved_push: 409, not_allowed: 403, code_locked: 429 };
