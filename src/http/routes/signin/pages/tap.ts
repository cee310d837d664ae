import { html, type SafeHtml } from '../../../html.ts';
import { choosePassword, chooseTap, submitTap } from '../../../../recovery/tap/signin-step.ts';
import { action, codeInput, csrfField, errorBox, whoBar } from './parts.ts';
import { field, type StepPage, type StepAction, type ViewInput } from './page.ts';

/**
 * Sign-in with a Temporary Access Pass: the username was typed on the first
 * page; the pass goes into a one-time-code field instead of the password.
 */
export const tapPage: StepPage = {
  step: 'tap',
  title: 'Temporary Access Pass',
  render: (_ctx, v) => html`<h1>Enter your Temporary Access Pass</h1>
<p>Your helpdesk gives you this pass after checking who you are. It stands in for your password and second factor this once; next you set up a new sign-in method.</p>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'tap')}">
${csrfField(v.csrf)}
<input type="text" name="username" autocomplete="username" value="${v.t.usernameTyped ?? ''}" hidden readonly>
${codeInput('Temporary Access Pass', { numeric: false, maxlength: 64 })}
<button type="submit">Sign in</button>
</form>
<form method="post" action="${action(v.t, 'use-password')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Use my password instead</button></form>
${whoBar(v)}`,
  actions: {
    tap: (ctx, t, body, req) => submitTap(ctx, t, field(body, 'code'), req),
    'use-password': (ctx, t) => choosePassword(ctx, t),
  },
};

/** The option on the password page, shown for every name typed (it must not tell which names have a pass). */
export function tapOption(v: ViewInput): SafeHtml {
  return html`<form method="post" action="${action(v.t, 'use-tap')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Use a Temporary Access Pass</button></form>`;
}

/** The password page's action that switches to the pass. */
export const useTapAction: StepAction = (ctx, t) => chooseTap(ctx, t);
