/** Every text the posture checklist shows: row titles and fixes, in one place. */
const list = (names: readonly string[], max = 10) => (names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', '));

export const POSTURE_TEXT = {
  adminMfa: {
    title: 'MFA for every administrator and privileged account',
    fix: (without: string[]) => `Have these accounts register a second factor, a security key or passkey best: ${list(without)}.`,
  },
  phishingResistant: {
    title: 'Phishing-resistant methods where possible (security keys, passkeys)',
    fixDisabled: 'Turn on security keys and passkeys: tessera methods set webauthn --enabled on.',
    fix: (admins: string[]) => `Give these administrators a security key or passkey (phishing cannot relay them): ${list(admins)}.`,
  },
  appMfa: {
    title: 'MFA on mail, cloud and VPN apps',
    fixUncategorised: 'Say which apps are mail, cloud or VPN: tessera posture category <oidc|saml|radius> <app> <mail|cloud|vpn|critical|other>.',
    fix: (apps: string[]) => `Add an enabled access policy for all users that requires MFA (a strength) on: ${list(apps)}.`,
  },
  numberMatching: {
    title: 'Number matching instead of plain push approval',
    fix: 'Number matching is always on in Tessera push; nothing to change.',
  },
  fatigueNotice: {
    title: 'People told about MFA fatigue and push bombing',
    fix: (missing: number) => `${missing} push user(s) enrolled before the notice existed: ask them to read it at /account/push/new (it is shown before the next enrolment).`,
  },
  recovery: {
    title: 'Recovery documented (Temporary Access Pass policy, helpdesk runbooks)',
    fixReview: 'Review the Temporary Access Pass policy and set it on purpose: tessera tap policy --max-lifetime 8h --one-time-only.',
    fixMultiUse: 'Make Temporary Access Passes single-use: tessera tap policy --one-time-only.',
  },
  breakGlass: {
    title: 'Break-glass accounts ready and tested within their cadence',
    fixNone: 'Create two break-glass accounts with two security keys each: tessera user create <name> --kind break_glass.',
    fix: (problems: string[]) => `${problems.join('; ')}. Sign in with each account as a test, then record it: tessera breakglass test <account>.`,
  },
  serviceAccounts: {
    title: 'Service accounts protected (no interactive sign-in, key-bound client authentication)',
    fix: (problems: string[]) => `${problems.join('; ')}.`,
    credentials: (names: string[]) => `remove the interactive credentials of service accounts ${list(names)} (they sign in as clients only)`,
    secrets: (clients: string[]) => `move these machine clients from a shared secret to private_key_jwt (a key only they hold): ${list(clients)}`,
  },
  exceptions: {
    title: 'No exception without an end date',
    fix: (ids: string[]) => `Give these exceptions an end date or revoke them: ${list(ids)}.`,
  },
  smsAdmins: {
    title: 'SMS and voice codes not allowed for administrators',
    fixPolicy: 'Keep SMS and voice away from administrators: tessera methods set sms --admins off (and voice).',
    fix: (admins: string[]) => `Remove SMS or voice from these administrators, who have stronger methods to use: ${list(admins)}.`,
  },
} as const;
