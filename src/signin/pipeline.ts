import type { SigninStep } from './tables.ts';

/**
 * The sign-in as one table, in the way node-oidc-provider lists its
 * authorization actions: each step, the actions its page may post
 * (POST /signin/<key>/<action>, honoured only at that step), and the steps
 * that may follow it. The engine's steps (./steps/) do the work; every
 * factor is proven by ./steps/prove.ts and every "what next" is the access
 * decision's (./steps/next.ts). "choose" (another method) and "restart" are
 * accepted at any step.
 */
interface StepSpec {
  actions: readonly string[];
  next: readonly SigninStep[];
}

/** Where a proven factor can lead: the access decision allows (done, or the roll-out campaign), refuses, or asks for more. */
const AFTER_FACTOR: readonly SigninStep[] = [
  'totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice', 'register_totp', 'register_webauthn', 'choose', 'campaign', 'blocked', 'failed', 'done',
];

export const PIPELINE: Readonly<Record<SigninStep, StepSpec>> = {
  identify: { actions: ['username', 'passkey'], next: ['password', ...AFTER_FACTOR] },
  password: { actions: ['password', 'use-tap', 'forgot'], next: ['tap', 'reset', ...AFTER_FACTOR] },
  tap: { actions: ['tap', 'use-password'], next: ['password', ...AFTER_FACTOR] },
  totp: { actions: ['totp'], next: AFTER_FACTOR },
  backup_code: { actions: ['backup-code'], next: AFTER_FACTOR },
  webauthn: { actions: ['webauthn'], next: AFTER_FACTOR },
  push: { actions: ['push-continue', 'push-resend'], next: AFTER_FACTOR },
  sms: { actions: ['sms-code', 'sms-resend'], next: AFTER_FACTOR },
  voice: { actions: ['voice-code', 'voice-resend'], next: AFTER_FACTOR },
  choose: { actions: [], next: ['totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice'] },
  register_totp: { actions: ['register-totp'], next: AFTER_FACTOR },
  register_webauthn: { actions: ['register-webauthn'], next: AFTER_FACTOR },
  campaign: { actions: ['campaign-register', 'campaign-later'], next: ['register_totp', 'register_webauthn', 'blocked', 'failed', 'done'] },
  // Forgot password: two other factors, a new password, then back to a normal sign-in (src/recovery/password-reset).
  reset: { actions: ['reset-codes', 'reset-passkey', 'use-password'], next: ['reset_password', 'password'] },
  reset_password: { actions: ['reset-password'], next: ['reset_done'] },
  reset_done: { actions: [], next: ['identify'] },
  blocked: { actions: [], next: ['identify'] },
  failed: { actions: [], next: ['identify'] },
  done: { actions: [], next: [] },
};

/** Actions every step accepts. */
export const ANY_STEP_ACTIONS = ['choose', 'restart'] as const;

export function actionAllowed(step: SigninStep, action: string): boolean {
  return PIPELINE[step].actions.includes(action);
}
