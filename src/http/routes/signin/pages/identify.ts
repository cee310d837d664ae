import { html } from '../../../html.ts';
import { submitUsername } from '../../../../signin/steps/identify.ts';
import { action, csrfField, errorBox } from './parts.ts';
import { field, type StepPage } from './page.ts';
import { passkeyAction, passkeySignin } from './webauthn.ts';
import { WEBAUTHN_SCRIPT } from './webauthn-parts.ts';

export const identifyPage: StepPage = {
  step: 'identify',
  title: 'Sign in',
  // Offers passkeys: a button, and the browser's autofill on the username field ("username webauthn").
  scripts: [WEBAUTHN_SCRIPT],
  render: (_ctx, v) => html`<h1>Sign in${v.appName ? html` to ${v.appName}` : ''}</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'username')}">
${csrfField(v.csrf)}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" required autofocus value="${v.t.usernameTyped ?? ''}">
<button type="submit">Next</button>
</form>
${passkeySignin(v)}`,
  actions: {
    username: (ctx, t, body) => submitUsername(ctx, t, field(body, 'username')),
    passkey: passkeyAction,
  },
};
