import { html } from '../../../html.ts';
import { MethodError } from '../../../../methods/errors.ts';
import { ensureTotpEnrolment, submitTotpRegistration } from '../../../../signin/steps/register.ts';
import { action, codeInput, csrfField, errorBox, qrImageSrc } from './parts.ts';
import { field, type StepPage } from './page.ts';

/** Registration interrupt: a user who must use MFA and has no second factor sets one up here. */
export const registerTotpPage: StepPage = {
  step: 'register_totp',
  title: 'Set up your authenticator',
  async render(ctx, v) {
    const e = await ensureTotpEnrolment(ctx, v.t).catch((err: unknown) => {
      if (err instanceof MethodError && err.code === 'method_disabled') return null;
      throw err;
    });
    if (!e) {
      return html`<h1>You need a second factor first</h1>
<p class="error" role="alert">Your organisation's methods policy does not let you set up an authenticator app here.</p>
<p>Contact your helpdesk: they can verify you and help you register a method you are allowed to use.</p>`;
    }
    return html`<h1>Set up your authenticator app</h1>
<p>Your account needs a second factor before you can continue. Scan this QR code with an authenticator app, then enter the code it shows.</p>
${errorBox(v.error)}
<img class="qr" src="${qrImageSrc(e.qrSvg)}" alt="QR code for your authenticator app">
<p>Can't scan? Enter this key in the app:</p>
<p class="secret" id="totp-secret">${e.secretBase32}</p>
<form method="post" action="${action(v.t, 'register-totp')}">
${csrfField(v.csrf)}
${codeInput('Code from the app')}
<button type="submit">Verify and continue</button>
</form>`;
  },
  actions: {
    'register-totp': (ctx, t, body, req) => submitTotpRegistration(ctx, t, field(body, 'code'), req),
  },
};
