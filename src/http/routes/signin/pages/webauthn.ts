import { html } from '../../../html.ts';
import { submitPasskey, submitWebauthnFactor } from '../../../../signin/steps/webauthn.ts';
import { errorBox, otherMethodLink } from './parts.ts';
import type { StepAction, StepPage, ViewInput } from './page.ts';
import { ceremonyForm, noScript, responseField, WEBAUTHN_SCRIPT } from './webauthn-parts.ts';

/** A security key or passkey as the second factor, or the missing factor of a step-up. */
export const webauthnPage: StepPage = {
  step: 'webauthn',
  title: 'Security key or passkey',
  scripts: [WEBAUTHN_SCRIPT],
  render: (_ctx, v) => html`<h1>Use your security key or passkey</h1>
<p>Insert or touch your security key, or use a passkey on this device or your phone.</p>
${errorBox(v.error)}
${ceremonyForm(v.t, v.csrf, { action: 'webauthn', mode: 'authenticate', body: html`<button type="button" data-webauthn-start>Use security key or passkey</button>` })}
${noScript}
${otherMethodLink(v)}`,
  actions: {
    webauthn: (ctx, t, body, req) => submitWebauthnFactor(ctx, t, responseField(body), req),
  },
};

/** The passkey sign-in offered on the first page: a button, and the browser's autofill (conditional mediation). */
export function passkeySignin(v: ViewInput) {
  if (v.t.sessionId) return '';
  return ceremonyForm(v.t, v.csrf, {
    action: 'passkey',
    mode: 'authenticate',
    conditional: true,
    body: html`<button type="button" class="secondary" data-webauthn-start>Sign in with a passkey</button>`,
  });
}

export const passkeyAction: StepAction = (ctx, t, body, req) => submitPasskey(ctx, t, responseField(body), req);
