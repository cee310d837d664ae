import type { MethodType } from '../../methods/method.ts';
import type { COVERAGE_LEVELS } from '../../policy/store/coverage.ts';

/** The evidence pack's words for methods and strengths: an auditor reads these, never the codes. */
export const METHOD_WORDS: Record<MethodType, string> = {
  password: 'Password',
  totp: 'Authenticator app code',
  backup_code: 'Backup codes',
  webauthn: 'Security key or passkey',
  push: 'Push approval (number matching)',
  sms: 'Text message code',
  voice: 'Voice call code',
  tap: 'Temporary Access Pass',
};

export const LEVEL_WORDS: Record<(typeof COVERAGE_LEVELS)[number], string> = {
  phishing_resistant_mfa: 'Phishing-resistant MFA (security key or passkey)',
  passwordless_mfa: 'Passwordless MFA',
  mfa: 'MFA',
  none: 'No second factor',
};

export const methodsInWords = (methods: readonly string[]) => methods.map((m) => METHOD_WORDS[m as MethodType] ?? m).join(', ');

/** A required strength in words: the built-in ones by meaning, a custom one by its own name. */
export const strengthInWords = (name: string) => (name in LEVEL_WORDS ? LEVEL_WORDS[name as keyof typeof LEVEL_WORDS] : `the custom strength "${name}"`);

const CONDITION_WORDS: Record<string, string> = {
  locations: 'location', clientTypes: 'kind of client', device: 'device state', signInRisk: 'sign-in risk',
  userRisk: 'user risk', registeredMethods: 'registered methods',
};

export const conditionsInWords = (keys: readonly string[]) => keys.map((k) => CONDITION_WORDS[k] ?? k).join(', ');
