import { html } from '../../../html.ts';
import { action, csrfField, errorBox } from './parts.ts';
import type { StepPage } from './page.ts';

export const failedPage: StepPage = {
  step: 'failed',
  title: 'Sign-in stopped',
  render: (_ctx, v) => html`<h1>Sign-in stopped</h1>
${errorBox(v.error ?? 'This sign-in cannot continue.')}
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit">Start again</button></form>`,
};
