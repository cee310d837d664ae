import { html, type SafeHtml } from '../../../html.ts';
import { backToPassword, chooseReset, submitNewPassword, submitResetCodes, submitResetPasskey } from '../../../../recovery/password-reset/steps.ts';
import { RESET_TEXT } from '../../../../signin/texts.ts';
import { action, csrfField, errorBox, whoBar } from './parts.ts';
import { field, type StepAction, type StepPage, type ViewInput } from './page.ts';
import { ceremonyForm, noScript, responseField, WEBAUTHN_SCRIPT } from './webauthn-parts.ts';

/**
 * "Forgot your password?": two other factors (a passkey, or an authenticator
 * code with a backup code), then a new password. No e-mail link anywhere.
 */
export const resetPage: StepPage = {
  step: 'reset',
  title: 'Forgot your password',
  scripts: [WEBAUTHN_SCRIPT],
  render: (_ctx, v) => html`<h1>Forgot your password?</h1>
<p>${RESET_TEXT.intro}</p>
${errorBox(v.error)}
${ceremonyForm(v.t, v.csrf, { action: 'reset-passkey', mode: 'authenticate', body: html`<button type="button" data-webauthn-start>Use a passkey</button>` })}
${noScript}
<form method="post" action="${action(v.t, 'reset-codes')}">
${csrfField(v.csrf)}
<label for="totp">Code from your authenticator app</label>
<input id="totp" name="totp" inputmode="numeric" pattern="[0-9 ]*" maxlength="10" autocomplete="one-time-code" required>
<label for="backup">One of your backup codes</label>
<input id="backup" name="backup" autocapitalize="none" spellcheck="false" maxlength="32" autocomplete="off" required>
<button type="submit">Continue</button>
</form>
<p class="hint">${RESET_TEXT.helpdesk}</p>
<form method="post" action="${action(v.t, 'use-password')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Back to the password</button></form>
${whoBar(v)}`,
  actions: {
    'reset-codes': (ctx, t, body, req) => submitResetCodes(ctx, t, { totp: field(body, 'totp'), backup: field(body, 'backup') }, req),
    'reset-passkey': (ctx, t, body, req) => submitResetPasskey(ctx, t, responseField(body), req),
    'use-password': (ctx, t) => backToPassword(ctx, t),
  },
};

export const resetPasswordPage: StepPage = {
  step: 'reset_password',
  title: 'Choose a new password',
  render: (_ctx, v) => html`<h1>Choose a new password</h1>
<p>Use a long passphrase you do not use anywhere else.</p>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'reset-password')}">
${csrfField(v.csrf)}
<input type="text" name="username" autocomplete="username" value="${v.t.usernameTyped ?? ''}" hidden readonly>
<label for="next">New password</label>
<input id="next" name="next" type="password" autocomplete="new-password" maxlength="1024" required autofocus>
<label for="confirm">New password again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="1024" required>
<button type="submit">Set the new password</button>
</form>`,
  actions: {
    'reset-password': (ctx, t, body, req) => submitNewPassword(ctx, t, field(body, 'next'), field(body, 'confirm'), req),
  },
};

export const resetDonePage: StepPage = {
  step: 'reset_done',
  title: 'Password changed',
  render: (_ctx, v) => html`<h1>Password changed</h1>
<p class="notice" role="status">${RESET_TEXT.done}</p>
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit">Sign in</button></form>`,
};

/** The link on the password page, shown for every name typed (it must not tell which accounts could use it). */
export function resetOption(v: ViewInput): SafeHtml {
  return html`<form method="post" action="${action(v.t, 'forgot')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Forgot your password?</button></form>`;
}

export const forgotAction: StepAction = (ctx, t) => chooseReset(ctx, t);
