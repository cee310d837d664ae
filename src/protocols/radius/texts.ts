/**
 * What a person reads at the VPN or Wi-Fi prompt (Reply-Message), in one
 * place. Plain language, short: many clients show one line.
 */
export const RADIUS_TEXT = {
  totp: 'Enter the 6-digit code from your authenticator app (or one of your backup codes).',
  backupCode: 'Enter one of your backup codes.',
  phone: (masked: string) => `Enter the 6-digit code we sent to ${masked}.`,
  push: (number: string) => `Approve the sign-in on your Tessera Authenticator: choose ${number}. Then press Enter here (leave the answer empty).`,
  pushWaiting: (number: string) => `Not approved yet. On your Tessera Authenticator choose ${number}, then press Enter here.`,
  pushDenied: 'The request was denied on your authenticator. If that was not you, change your password and tell your helpdesk.',
  pushExpired: 'Nobody approved the request in time. Sign in again.',
  pushPaused: 'Push sign-in is paused for your account after unanswered or denied requests. Use a code instead, or ask your helpdesk.',
  pushLimited: 'Too many push requests. Wait a few minutes, or use a code.',
  noMethodHere: 'Your account needs a sign-in method that works here (an authenticator app, push or a code by text message). Set one up on your account page, then try again.',
  expired: 'This sign-in has expired. Start again.',
  passwordOnly: 'This connection sends the password in a form Tessera does not accept. Ask your network administrator to use PAP over a protected link.',
  welcome: 'Signed in.',
} as const;
