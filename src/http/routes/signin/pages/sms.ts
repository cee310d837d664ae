import { html } from '../../../html.ts';
import { activePhones } from '../../../../methods/phone/codes.ts';
import { maskNumber, PHONE_WARNING } from '../../../../methods/phone/numbers.ts';
import type { PhoneChannel } from '../../../../methods/phone/tables.ts';
import { firstCodeNotice, resendCode, submitPhoneCode } from '../../../../signin/steps/phone.ts';
import { action, codeInput, csrfField, errorBox, otherMethodLink } from './parts.ts';
import { field, type StepPage } from './page.ts';

/** The SMS and voice code pages: render, and hand the form to the engine (src/signin/steps/phone.ts). */
function phonePage(channel: PhoneChannel): StepPage {
  const what = channel === 'sms' ? 'text message' : 'phone call';
  return {
    step: channel,
    title: channel === 'sms' ? 'Code by text message' : 'Code by phone call',
    async render(ctx, v) {
      const t = v.t;
      const notice = v.error ?? (await firstCodeNotice(ctx, t, channel));
      const [phone] = t.userId ? await activePhones(ctx.store.db, t.userId, channel) : [];
      return html`<h1>Enter the code we sent by ${what}</h1>
${errorBox(notice)}
<p>We sent a 6-digit code to ${phone ? maskNumber(phone.number) : 'your phone'}. It works once, for 10 minutes.</p>
<form method="post" action="${action(t, `${channel}-code`)}">
${csrfField(v.csrf)}
${codeInput('6-digit code', { maxlength: 7 })}
<button type="submit">Verify</button>
</form>
<form method="post" action="${action(t, `${channel}-resend`)}">${csrfField(v.csrf)}<button type="submit" class="secondary">Send a new code</button></form>
<p class="hint">${PHONE_WARNING}</p>
${otherMethodLink(v)}`;
    },
    actions: {
      [`${channel}-code`]: (ctx, t, body, req) => submitPhoneCode(ctx, t, channel, field(body, 'code'), req),
      [`${channel}-resend`]: (ctx, t) => resendCode(ctx, t, channel),
    },
  };
}

export const smsPage = phonePage('sms');
export const voicePage = phonePage('voice');
