import type { AppContext } from '../../app/context.ts';
import { activePhones, phoneCodeKey, sendPhoneCode, type SendResult } from '../../methods/phone/codes.ts';
import { senderFor } from '../../methods/phone/senders.ts';
import type { PhoneChannel } from '../../methods/phone/tables.ts';
import type { SigninTransaction } from '../transaction.ts';
import { SIGNIN_TEXT } from '../texts.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { submitSecondFactor } from './second-factor.ts';

/**
 * SMS and voice codes inside a sign-in (restricted methods): the first look
 * sends a code to the registered number; "send a new code" is rate-limited per
 * user and number; the code itself is proven like every factor.
 */
export const PHONE_TEXT = {
  notSent: (channel: PhoneChannel) => `The ${channel === 'sms' ? 'text message' : 'phone call'} could not be sent. Try again later or use another method.`,
  tooMany: 'Too many codes were sent recently. Wait a while or use another method.',
  noNumber: 'No number is registered for this method.',
} as const;

export type PhoneSend = SendResult | 'no_phone' | 'failed';

export async function sendSigninCode(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel): Promise<PhoneSend> {
  const [phone] = await activePhones(ctx.store.db, t.userId!, channel);
  if (!phone) return 'no_phone';
  return sendPhoneCode(ctx.store, senderFor(ctx.config), { phone, purpose: 'signin', transactionId: t.id, key: phoneCodeKey(ctx.config) })
    .catch(() => 'failed' as const);
}

/** Sends the first code when the page is first shown; returns what to tell the person, if anything. */
export async function firstCodeNotice(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel): Promise<string | undefined> {
  if (!t.userId) return undefined;
  const sent = await ctx.store.db.selectFrom('phone_codes').select('id').where('transaction_id', '=', t.id).where('purpose', '=', 'signin').executeTakeFirst();
  if (sent) return undefined;
  const r = await sendSigninCode(ctx, t, channel);
  if (r === 'failed') return PHONE_TEXT.notSent(channel);
  if (r !== 'no_phone' && !r.ok) return PHONE_TEXT.tooMany;
  return undefined;
}

export async function resendCode(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  const sent = await sendSigninCode(ctx, t, channel);
  if (sent === 'failed') return show(t, PHONE_TEXT.notSent(channel), 502);
  if (sent === 'no_phone') return show(t, PHONE_TEXT.noNumber, 400);
  if (!sent.ok) return show(t, PHONE_TEXT.tooMany, 429);
  return show(t);
}

export function submitPhoneCode(ctx: AppContext, t: SigninTransaction, channel: PhoneChannel, code: string, req: RequestFacts): Promise<StepOutcome> {
  return submitSecondFactor(ctx, t, channel, code, req);
}
