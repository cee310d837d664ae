import { html } from '../../../html.ts';
import { submitUsername } from '../../../../signin/steps/identify.ts';
import { action, csrfField, errorBox } from './parts.ts';
import { field, type StepPage } from './page.ts';

export const identifyPage: StepPage = {
  step: 'identify',
  title: 'Sign in',
  render: (_ctx, v) => html`<h1>Sign in${v.appName ? html` to ${v.appName}` : ''}</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'username')}">
${csrfField(v.csrf)}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${v.t.usernameTyped ?? ''}">
<button type="submit">Next</button>
</form>`,
  actions: {
    username: (ctx, t, body) => submitUsername(ctx, t, field(body, 'username')),
  },
};
