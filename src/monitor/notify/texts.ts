import type { Notice } from './notices.ts';

/**
 * Every e-mail Tessera sends to people about their own account, in one place.
 * Plain language; what happened, when, and what to do if it was not them.
 * A mail never carries a code, a pass, a password or a sign-in link: only the
 * "this wasn't me" link, which can do nothing but report.
 */
const METHOD_NAMES: Record<string, string> = {
  totp: 'an authenticator app',
  webauthn: 'a security key or passkey',
  push: 'the Tessera authenticator on a phone',
  sms: 'text-message codes to a phone number',
  voice: 'voice-call codes to a phone number',
  backup_codes: 'a set of backup codes',
};

export interface MailText {
  subject: string;
  text: string;
}

const when = (iso: string) => new Date(iso).toUTCString();

function headline(n: Notice): { subject: string; what: string } {
  switch (n.kind) {
    case 'method_added':
      return { subject: 'A new way to sign in was added to your account', what: `${capital(METHOD_NAMES[n.method] ?? 'a sign-in method')} was added as a way to sign in to your account.` };
    case 'method_removed':
      return { subject: 'A way to sign in was removed from your account', what: `${capital(METHOD_NAMES[n.method] ?? 'a sign-in method')} was removed from your account.` };
    case 'tap_issued':
      return {
        subject: 'A temporary access pass was issued for your account',
        what: `Your helpdesk issued a temporary access pass for your account${n.validUntil ? `, valid until ${when(n.validUntil)}` : ''}. The pass itself is never sent by e-mail.`,
      };
    case 'password_changed':
      return { subject: 'Your password was changed', what: 'The password of your account was changed.' };
    case 'new_signin': {
      const parts = [n.country ? `from a country you have not signed in from before (${n.country})` : null, n.device ? `on a device or browser you have not used before (${n.device})` : null].filter(Boolean);
      return { subject: 'New sign-in to your account', what: `Someone signed in to your account ${parts.join(' and ')}${n.address ? `, from the address ${n.address}` : ''}.` };
    }
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function noticeMail(n: Notice, displayName: string, reportUrl: string, validHours: number): MailText {
  const { subject, what } = headline(n);
  const text = [
    `Hello ${displayName},`,
    '',
    what,
    `When: ${when(n.at)}`,
    '',
    'If this was you, there is nothing to do.',
    '',
    'If this was not you, tell us with this link (it works once, for the next ' + `${validHours} hours):`,
    reportUrl,
    '',
    'The link asks you to confirm before anything happens. Your security team is then alerted and your account is treated as at risk until they have looked at it.',
    '',
    'Tessera never asks for your password, codes or passes by e-mail.',
  ].join('\n');
  return { subject, text };
}
