import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhoneSenderConfig } from '../../config/config.ts';
import type { PhoneChannel } from './tables.ts';

/** Delivers a code by SMS or a voice call. Implementations never log the text. */
export interface PhoneMessage {
  channel: PhoneChannel;
  to: string;
  code: string;
  text: string;
}

export interface PhoneSender {
  send(message: PhoneMessage): Promise<void>;
}

export class PhoneSendError extends Error {
  override name = 'PhoneSendError';
}

export const OUTBOX_FILE = 'phone-outbox.jsonl';

/** Development default: one JSON line per message in <data dir>/phone-outbox.jsonl, readable by the owner only. */
export function outboxSender(dataDir: string): PhoneSender {
  const file = join(dataDir, OUTBOX_FILE);
  return {
    async send(m) {
      await appendFile(file, JSON.stringify({ at: new Date().toISOString(), channel: m.channel, to: m.to, text: m.text }) + '\n', { mode: 0o600 });
    },
  };
}

/** Generic webhook: POST {channel, to, text} as JSON; any 2xx is delivered. */
export function webhookSender(url: string): PhoneSender {
  return {
    async send(m) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: m.channel, to: m.to, text: m.text }) });
      if (!res.ok) throw new PhoneSendError(`the phone webhook answered ${res.status}`);
    },
  };
}

/** Digits spoken one by one, twice, for a voice call. */
function spoken(code: string): string {
  const digits = code.split('').join(', ');
  return `Your Tessera sign-in code is ${digits}. Again: ${digits}.`;
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Twilio-compatible: form POST to the Messages (SMS) or Calls (voice, inline TwiML) API with basic auth. */
export function twilioSender(c: Extract<PhoneSenderConfig, { kind: 'twilio' }>): PhoneSender {
  const auth = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
  return {
    async send(m) {
      const resource = m.channel === 'sms' ? 'Messages' : 'Calls';
      const form = new URLSearchParams({ To: m.to, From: c.from });
      if (m.channel === 'sms') form.set('Body', m.text);
      else form.set('Twiml', `<Response><Say>${xmlEscape(spoken(m.code))}</Say></Response>`);
      const res = await fetch(`${c.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/${resource}.json`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (!res.ok) throw new PhoneSendError(`the SMS provider answered ${res.status}`);
    },
  };
}

export function senderFor(config: { dataDir: string; phone?: PhoneSenderConfig }): PhoneSender {
  const c = config.phone ?? { kind: 'outbox' };
  if (c.kind === 'webhook') return webhookSender(c.url);
  if (c.kind === 'twilio') return twilioSender(c);
  return outboxSender(config.dataDir);
}
