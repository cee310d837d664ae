import { html } from '../../../html.ts';
import { availableSecondFactors } from '../../../../signin/steps/next.ts';
import { action, csrfField, errorBox } from './parts.ts';
import type { StepPage } from './page.ts';

/** How each second factor is offered on the "choose another method" page. */
export const METHOD_CHOICES: Record<string, string> = {
  webauthn: 'Security key or passkey',
  push: 'Approve a request in the Tessera Authenticator',
  totp: 'Code from an authenticator app',
  backup_code: 'A backup code',
  sms: 'A code by text message (less secure)',
  voice: 'A code by phone call (less secure)',
};

export const choosePage: StepPage = {
  step: 'choose',
  title: 'Choose a method',
  async render(ctx, v) {
    const options = v.t.userId ? await availableSecondFactors(ctx, v.t.userId) : [];
    return html`<h1>Choose how to verify it's you</h1>
${errorBox(v.error)}
<ul class="choices">
${options.map(
  (m) => html`<li><form method="post" action="${action(v.t, 'choose')}">${csrfField(v.csrf)}
<input type="hidden" name="method" value="${m}"><button type="submit" class="secondary">${METHOD_CHOICES[m] ?? m}</button></form></li>`,
)}
</ul>
<p class="hint">Lost access to all of these? Contact your helpdesk: they can verify you and issue a temporary pass.</p>`;
  },
};
