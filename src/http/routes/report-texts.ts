/**
 * Every text of the "this wasn't me" page, in one place. Plain language: what
 * the link does, and what happens after it is used.
 */
export const REPORT_TEXT = {
  title: 'Report this was not you',
  askHeading: 'Was this not you?',
  ask: (about: string) => `We e-mailed you because ${about}. If you did not do this, and nobody you know did it for you, report it here.`,
  askWhat: 'When you report it, your security team is alerted at once, and your account is treated as at risk: signing in may ask for more, or be refused, until they have looked at it.',
  confirm: 'Yes, report it: this was not me',
  ignore: 'If it was you after all, close this page. Nothing happens unless you press the button.',
  doneHeading: 'Thank you: your report was sent',
  done: [
    'Your security team has been alerted and will look into it.',
    'Until they have, your account is treated as at risk: signing in may ask you for more than usual, or be refused.',
    'If you can still sign in, change your password on your security page and check the ways to sign in listed there.',
    'Someone from your security team or helpdesk may contact you. They will never ask for your password or codes.',
  ],
  usedHeading: 'This link has already been used',
  used: 'A report was already made with this link, and your security team was alerted. If something else looks wrong, contact your helpdesk.',
  expiredHeading: 'This link has expired',
  expired: 'The link in the e-mail only works for a limited time. If you think someone else is using your account, contact your helpdesk now.',
  unknownHeading: 'This link does not work',
  unknown: 'The link is not complete or not valid. Open it again from the e-mail, or contact your helpdesk.',
  throttledHeading: 'Too many tries',
  throttled: 'Too many links were tried from your network. Wait a few minutes and open the link from the e-mail again.',
  staleHeading: 'Please open the link again',
  stale: 'This page was open too long or came from somewhere else. Open the link from the e-mail again and press the button there.',
  about: {
    method_added: 'a new way to sign in was added to your account',
    method_removed: 'a way to sign in was removed from your account',
    tap_issued: 'a temporary access pass was issued for your account',
    password_changed: 'the password of your account was changed',
    new_signin: 'someone signed in to your account from a new device or country',
  } as Record<string, string>,
} as const;
