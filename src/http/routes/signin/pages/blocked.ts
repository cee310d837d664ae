import { html } from '../../../html.ts';
import { action, csrfField } from './parts.ts';
import type { StepPage } from './page.ts';

/**
 * Conditional access refused this sign-in (a blocking policy, or a compliant
 * device the app requires). The step says which rule and what to do; it is
 * final for this transaction: starting again is the only action.
 */
export const blockedPage: StepPage = {
  step: 'blocked',
  title: 'Access blocked',
  render: (_ctx, v) => html`<h1>Access blocked</h1>
<p class="error" role="alert" id="blocked-reason">${v.error ?? "Your organisation's access policy does not allow this sign-in."}</p>
<p class="hint">Nothing you type here changes this: the rule looks at who you are, the app, where and from which device you sign in.
Your helpdesk can tell you more; this attempt has been recorded.</p>
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Start again</button></form>`,
};
