import { html } from '../../../html.ts';
import { submitPassword } from '../../../../signin/steps/password.ts';
import { action, csrfField, errorBox, whoBar } from './parts.ts';
import { field, type StepPage } from './page.ts';
import { tapOption, useTapAction } from './tap.ts';
import { forgotAction, resetOption } from './reset.ts';

export const passwordPage: StepPage = {
  step: 'password',
  title: 'Password',
  render: (_ctx, v) => html`<h1>Enter your password</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'password')}">
${csrfField(v.csrf)}
<input type="text" name="username" autocomplete="username" value="${v.t.usernameTyped ?? ''}" hidden readonly>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${v.error ? html` aria-describedby="form-error"` : ''}>
<button type="submit">Sign in</button>
</form>
${tapOption(v)}
${v.t.sessionId ? '' : resetOption(v)}
${whoBar(v)}`,
  actions: {
    password: (ctx, t, body, req) => submitPassword(ctx, t, field(body, 'password'), req),
    'use-tap': useTapAction,
    forgot: forgotAction,
  },
};
