import { html, type SafeHtml } from '../../../html.ts';
import type { AppContext } from '../../../../app/context.ts';
import { availableSecondFactors } from '../../../../signin/steps/next.ts';
import { transactionKey } from '../../../../signin/transaction.ts';
import { action, csrfField, errorBox, otherMethodLink } from './parts.ts';
import { METHOD_CHOICES } from './choose.ts';
import { continuePush, pushStateFor, resendPush, type PushState } from '../../../../signin/steps/push.ts';
import type { StepPage, ViewInput } from './page.ts';

const clock = (iso: string) => iso.slice(11, 16) + ' UTC';

async function otherChoices(ctx: AppContext, v: ViewInput): Promise<SafeHtml> {
  const options = (v.t.userId ? await availableSecondFactors(ctx, v.t.userId) : []).filter((m) => m !== 'push');
  if (!options.length) return html`<p class="hint">You have no other method registered. Contact your helpdesk: they can verify you and issue a temporary pass.</p>`;
  return html`<p>Use another method instead:</p><ul class="choices">
${options.map((m) => html`<li><form method="post" action="${action(v.t, 'choose')}">${csrfField(v.csrf)}
<input type="hidden" name="method" value="${m}"><button type="submit" class="secondary">${METHOD_CHOICES[m] ?? m}</button></form></li>`)}
</ul>`;
}

function resendButton(v: ViewInput): SafeHtml {
  return html`<form method="post" action="${action(v.t, 'push-resend')}">${csrfField(v.csrf)}<button type="submit">Send a new request</button></form>`;
}

function waitingView(v: ViewInput, s: Extract<PushState, { kind: 'waiting' | 'approved' }>): SafeHtml {
  const r = s.request;
  const approved = s.kind === 'approved';
  return html`<h1>${approved ? 'Approved on your device' : 'Approve the request on your authenticator'}</h1>
${errorBox(v.error)}
${approved ? '' : html`<noscript><meta http-equiv="refresh" content="3"></noscript>
<p>Open the Tessera Authenticator and enter this number:</p>
<p class="push-number" id="push-number" aria-live="polite"><strong>${r.number}</strong></p>
<p class="hint">Request for ${r.appName ?? 'Tessera'} from ${r.ip ?? 'unknown address'} (${r.location}), sent ${clock(r.createdAt)}; it expires after a minute. If you did not try to sign in, choose “Deny — this wasn't me” on your device.</p>`}
<form method="post" action="${action(v.t, 'push-continue')}" id="push-continue" data-status="/signin/${transactionKey(v.t)}/push-status">
${csrfField(v.csrf)}
<button type="submit">${approved ? 'Continue' : 'I approved it — continue'}</button>
</form>
${otherMethodLink(v)}`;
}

export const pushPage: StepPage = {
  step: 'push',
  title: 'Approve sign-in',
  scripts: ['/static/push-wait.js'],
  async render(ctx, v) {
    const s = await pushStateFor(ctx, v.t, true);
    switch (s.kind) {
      case 'waiting':
      case 'approved':
        return waitingView(v, s);
      case 'denied':
        return html`<h1>The request was denied</h1>${errorBox(v.error)}
<p>The request was denied on your authenticator. If that was a mistake, send a new one.</p>${resendButton(v)}${await otherChoices(ctx, v)}`;
      case 'expired':
        return html`<h1>The request timed out</h1>${errorBox(v.error)}
<p>Nobody answered the request within a minute.</p>${resendButton(v)}${await otherChoices(ctx, v)}`;
      case 'suspended':
        return html`<h1>Push sign-in is paused</h1>${errorBox(v.error)}
<p class="error" role="alert">Too many push requests were denied or went unanswered, so push sign-in is paused for your account until ${clock(s.until)}. Your security team has been told. If you did not try to sign in, somebody may know your password: change it.</p>
${await otherChoices(ctx, v)}`;
      case 'rate_limited':
        return html`<h1>Too many push requests</h1>${errorBox(v.error)}
<p class="error" role="alert">You can receive at most a few push requests in five minutes. Try again after ${clock(s.retryAt)}, or use another method.</p>
${await otherChoices(ctx, v)}`;
      case 'not_allowed':
        return html`<h1>Push sign-in is not available</h1>${errorBox(v.error)}<p class="error" role="alert">Push sign-in cannot be used: ${s.reason}.</p>${await otherChoices(ctx, v)}`;
    }
  },
  actions: {
    'push-continue': (ctx, t, _body, req) => continuePush(ctx, t, req),
    'push-resend': (ctx, t) => resendPush(ctx, t),
  },
};
