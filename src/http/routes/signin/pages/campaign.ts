import { html } from '../../../html.ts';
import { campaignPrompt, snoozeCampaign } from '../../../../policy/store/campaign.ts';
import { saveTransaction } from '../../../../signin/transaction.ts';
import { decideNext } from '../../../../signin/steps/next.ts';
import { show } from '../../../../signin/steps/outcome.ts';
import { action, csrfField, errorBox } from './parts.ts';
import type { StepAction, StepPage } from './page.ts';

/**
 * The roll-out's registration campaign: after a normal sign-in, a person in a
 * roll-out stage is asked to set up the stage's preferred method. "Not now"
 * finishes the sign-in and counts one snooze; when none is left, setting it up
 * is the only way on.
 */
const METHOD_NAMES: Record<string, string> = {
  totp: 'an authenticator app',
  webauthn: 'a passkey or security key',
};

const register: StepAction = async (ctx, t) => {
  const prompt = t.userId ? await campaignPrompt(ctx.store.db, t.userId) : null;
  if (!prompt) {
    // Registered meanwhile (another tab): nothing left to ask.
    return decideNext(ctx, t, t.ip, { campaign: false });
  }
  t.step = prompt.method === 'webauthn' ? 'register_webauthn' : 'register_totp';
  await saveTransaction(ctx.store.db, t);
  return show(t);
};

const later: StepAction = async (ctx, t) => {
  const prompt = t.userId ? await campaignPrompt(ctx.store.db, t.userId) : null;
  if (prompt && !(await snoozeCampaign(ctx.store.db, t.userId!, prompt.stageId))) {
    return show(t, `Setting up ${METHOD_NAMES[prompt.method] ?? prompt.method} is required now.`, 400);
  }
  return decideNext(ctx, t, t.ip, { campaign: false });
};

export const campaignPage: StepPage = {
  step: 'campaign',
  title: 'Protect your account',
  async render(ctx, v) {
    const prompt = v.t.userId ? await campaignPrompt(ctx.store.db, v.t.userId) : null;
    const method = METHOD_NAMES[prompt?.method ?? 'totp'] ?? 'a second factor';
    const deadline = prompt ? new Date(prompt.enforceAt).toISOString().slice(0, 10) : '';
    return html`<h1>Protect your account with ${method}</h1>
<p>Your organisation is turning on multi-factor authentication${prompt ? html` for <strong>${prompt.stageName}</strong>` : ''}.
Setting up ${method} takes a minute, and from ${deadline} it will be required to sign in.</p>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'campaign-register')}">${csrfField(v.csrf)}<button type="submit" autofocus>Set it up now</button></form>
${prompt && !prompt.required
  ? html`<form method="post" action="${action(v.t, 'campaign-later')}">${csrfField(v.csrf)}
<button type="submit" class="secondary" id="campaign-later">Not now (${prompt.snoozesLeft} more ${prompt.snoozesLeft === 1 ? 'time' : 'times'})</button></form>`
  : html`<p class="hint" id="campaign-required">You have postponed this as often as allowed: set it up now to continue.</p>`}`;
  },
  actions: {
    'campaign-register': register,
    'campaign-later': later,
  },
};
