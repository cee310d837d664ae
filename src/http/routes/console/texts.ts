/** Every text the console's server side shows or answers with; the pages' own words live in web/console/texts.js. */
export const CONSOLE_TEXT = {
  appName: 'Admin console',
  signinFailedTitle: 'Could not sign in to the admin console',
  signinNotFinished: 'The sign-in did not finish. Start again from the admin console.',
  signinExpired: 'This sign-in link has expired or was already used. Start again from the admin console.',
  tryAgain: 'Sign in to the admin console',
  signInRequired: 'Sign in to the admin console to continue.',
  signInAgain: 'Your console session has ended (a pause, or the time your organisation allows has passed). Sign in again to continue.',
  refused: (message: string) => `The console is not available to you: ${message}`,
  noRole: 'Your account holds no administrative role, so the admin console has nothing for you. Ask an administrator if you need access.',
  csrf: 'This change did not come from the console page. Reload the console and try again.',
  policyName: 'Admin console: phishing-resistant sign-in',
  policyDescription:
    'Created with the console. Administrators, helpdesk and auditors reach the console only with a security key or passkey, sign in again every 12 hours and after 15 minutes without activity.',
} as const;
