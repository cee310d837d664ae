import { html } from '../../../html.ts';
import type { AppContext } from '../../../../app/context.ts';
import type { SigninTransaction } from '../../../../signin/transaction.ts';
import { decideNext } from '../../../../signin/steps/next.ts';
import { show, type RequestFacts, type StepOutcome } from '../../../../signin/steps/outcome.ts';
import { saveTransaction } from '../../../../signin/transaction.ts';
import { writeSigninLog } from '../../../../monitor/signin-log.ts';
import { logBase } from '../../../../signin/steps/log.ts';
import { activePhones, checkPhoneCode, phoneCodeKey, sendPhoneCode, type SendResult } from '../../../../methods/phone/codes.ts';
import { maskNumber, PHONE_WARNING } from '../../../../methods/phone/numbers.ts';
import { senderFor } from '../../../../methods/phone/senders.ts';
import type { PhoneChannel } from '../../../../methods/phone/tables.ts';
import { methodUsable } from '../../../../methods/policy/check.ts';
import { action, codeInput, csrfField, errorBox, otherMethodLink } from './parts.ts';
import { field, type StepPage } from './page.ts';

/**
 * SMS and voice codes (restricted methods): the first look sends a code to the
 * registered number; "Send a new code" is rate-limited per user and number.
 */
async function sendFor(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel): Promise<SendResult | 'no_phone'> {
  const [phone] = await activePhones(ctx.store.db, t.userId!, channel);
  if (!phone) return 'no_phone';
  return sendPhoneCode(ctx.store, senderFor(ctx.config), { phone, purpose: 'signin', transactionId: t.id, key: phoneCodeKey(ctx.config) });
}

async function codeSentIn(ctx: AppContext, t: SigninTransaction): Promise<boolean> {
  return !!(await ctx.store.db.selectFrom('phone_codes').select('id').where('transaction_id', '=', t.id).where('purpose', '=', 'signin').executeTakeFirst());
}

const WRONG: Record<string, string> = {
  invalid: 'That code is not right. Check the latest message and try again.',
  expired: 'That code has expired. Send a new code.',
  replayed: 'That code was already used. Send a new code.',
  locked: 'Too many wrong codes. Send a new code, or use another method.',
};

function phonePage(channel: PhoneChannel): StepPage {
  const what = channel === 'sms' ? 'text message' : 'phone call';
  return {
    step: channel,
    title: channel === 'sms' ? 'Code by text message' : 'Code by phone call',
    async render(ctx, v) {
      const t = v.t;
      let notice = v.error;
      if (!notice && t.userId && !(await codeSentIn(ctx, t))) {
        const sent = await sendFor(ctx, t, channel).catch(() => 'failed' as const);
        if (sent === 'failed') notice = `The ${what} could not be sent. Try again later or use another method.`;
        else if (sent !== 'no_phone' && !sent.ok) notice = 'Too many codes were sent recently. Wait a while or use another method.';
      }
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
      [`${channel}-code`]: async (ctx, t, body, req) => verify(ctx, t, channel, field(body, 'code'), req),
      [`${channel}-resend`]: async (ctx, t) => {
        if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
        const sent = await sendFor(ctx, t, channel).catch(() => 'failed' as const);
        if (sent === 'failed') return show(t, `The ${what} could not be sent. Try again later or use another method.`, 502);
        if (sent === 'no_phone') return show(t, 'No number is registered for this method.', 400);
        if (!sent.ok) return show(t, 'Too many codes were sent recently. Wait a while or use another method.', 429);
        return show(t);
      },
    },
  };
}

async function verify(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel, typed: string, req: RequestFacts): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
  if (!(await methodUsable(ctx.store.db, channel, t.userId))) return show(t, 'This method is not allowed for your account. Use another method.', 403);
  const code = typed.replace(/[\s-]/g, '');
  t.methodsTried.push(channel);
  const phones = await activePhones(ctx.store.db, t.userId, channel);
  const check = await checkPhoneCode(ctx.store, { userId: t.userId, purpose: 'signin', phoneIds: phones.map((p) => p.id), code, key: phoneCodeKey(ctx.config) });
  if (!check.ok) {
    await saveTransaction(ctx.store.db, t);
    await writeSigninLog(ctx.store.db, logBase(t, req, check.reason === 'locked' ? 'locked' : 'failure', `${channel}_${check.reason}`));
    return show(t, WRONG[check.reason] ?? WRONG.invalid, check.reason === 'locked' ? 429 : 401);
  }
  t.methodsUsed.push(channel);
  return decideNext(ctx, t);
}

export const smsPage = phonePage('sms');
export const voicePage = phonePage('voice');
