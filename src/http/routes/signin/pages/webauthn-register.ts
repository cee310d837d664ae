import { html } from '../../../html.ts';
import { submitWebauthnRegistration } from '../../../../signin/steps/webauthn.ts';
import { errorBox } from './parts.ts';
import { field, type StepPage } from './page.ts';
import { ceremonyForm, noScript, responseField, WEBAUTHN_SCRIPT } from './webauthn-parts.ts';

/**
 * Registration interrupt for a phishing-resistant method: an administrator (or
 * a sign-in to an app that asks for one) without a security key or passkey
 * registers one here, after the factors already proven, before finishing.
 */
export const registerWebauthnPage: StepPage = {
  step: 'register_webauthn',
  title: 'Set up a security key or passkey',
  scripts: [WEBAUTHN_SCRIPT],
  render: (_ctx, v) => html`<h1>Set up a security key or passkey</h1>
<p>This sign-in needs a phishing-resistant method. Create a passkey on this device (or your phone), or register a FIDO2 security key.</p>
${errorBox(v.error)}
${ceremonyForm(v.t, v.csrf, {
  action: 'register-webauthn',
  mode: 'register',
  body: html`<label for="name">Name for it (optional)</label>
<input id="name" name="name" maxlength="64" placeholder="e.g. Work laptop, blue security key">
<button type="button" data-webauthn-start data-kind="passkey">Create a passkey</button>
<button type="button" class="secondary" data-webauthn-start data-kind="security_key">Use a security key</button>`,
})}
${noScript}`,
  actions: {
    'register-webauthn': (ctx, t, body, req) => submitWebauthnRegistration(ctx, t, responseField(body), field(body, 'name'), req),
  },
};
