import { html } from '../../../html.ts';
import { submitSecondFactor } from '../../../../signin/steps/second-factor.ts';
import { action, codeInput, csrfField, errorBox, otherMethodLink } from './parts.ts';
import { field, type StepPage } from './page.ts';

export const totpPage: StepPage = {
  step: 'totp',
  title: 'Verification code',
  render: (_ctx, v) => html`<h1>Enter the code from your authenticator app</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'totp')}">
${csrfField(v.csrf)}
${codeInput('6-digit code')}
<button type="submit">Verify</button>
</form>
${otherMethodLink(v)}`,
  actions: {
    totp: (ctx, t, body, req) => submitSecondFactor(ctx, t, 'totp', field(body, 'code'), req),
  },
};
