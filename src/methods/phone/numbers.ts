import { randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { ChangeOptions } from '../context.ts';
import { MethodError } from '../errors.ts';
import { methodAllowedFor } from '../policy/check.ts';
import { checkPhoneCode, sendPhoneCode, type CodeCheck, type SendResult } from './codes.ts';
import type { PhoneSender } from './senders.ts';
import type { PhoneChannel, PhoneNumbersTable } from './tables.ts';

/** Why SMS and voice are weaker, for the person choosing them. */
export const PHONE_WARNING =
  'Codes by text message or call can be stolen by moving your number to another SIM card or by a convincing phone call, and they can be typed into a fake sign-in page. An authenticator app with push, or a security key or passkey, is stronger: use one of those where you can.';

/** Normalises a typed number to E.164 (+ and 7 to 15 digits); null when it is not one. */
export function normalisePhoneNumber(typed: string): string | null {
  const cleaned = typed.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return /^\+[1-9]\d{6,14}$/.test(cleaned) ? cleaned : null;
}

/** Shows a number with all but the last two digits hidden. */
export function maskNumber(n: string): string {
  return `${n.slice(0, 3)}${'•'.repeat(Math.max(0, n.length - 5))}${n.slice(-2)}`;
}

/**
 * Starts registering a number: a pending record and a code sent to it. A
 * number is verified before it counts; changing it is a new registration.
 */
export async function startPhoneRegistration(
  store: Store, sender: PhoneSender, userId: string, channel: PhoneChannel, typed: string, key: Buffer,
): Promise<{ phone: PhoneNumbersTable; sent: SendResult }> {
  const allowed = await methodAllowedFor(store.db, channel, userId);
  if (!allowed.allowed) throw new MethodError('invalid_settings', `${channel === 'sms' ? 'Text message' : 'Voice call'} codes are not available: ${allowed.reason}`);
  const number = normalisePhoneNumber(typed);
  if (!number) throw new MethodError('invalid_label', 'enter the number in international form, e.g. +44 7700 900123');
  const now = new Date().toISOString();
  const phone: PhoneNumbersTable = { id: randomUUID(), user_id: userId, channel, number, status: 'pending', created_at: now, verified_at: null, last_used_at: null };
  await store.db.deleteFrom('phone_numbers').where('user_id', '=', userId).where('status', '=', 'pending').execute();
  await store.db.insertInto('phone_numbers').values(phone).execute();
  const sent = await sendPhoneCode(store, sender, { phone, purpose: 'register', key });
  return { phone, sent };
}

/** Confirms a pending number with the code sent to it; audited 'method.<channel>.add'. */
export async function confirmPhoneRegistration(
  store: Store, userId: string, phoneId: string, code: string, options: ChangeOptions & { key: Buffer },
): Promise<CodeCheck> {
  const pending = await store.db.selectFrom('phone_numbers').selectAll().where('id', '=', phoneId).where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirst();
  if (!pending) return { ok: false, reason: 'expired' };
  const check = await checkPhoneCode(store, { userId, purpose: 'register', phoneIds: [phoneId], code, key: options.key });
  if (!check.ok) return check;
  await auditedChange(store, async (trx, record) => {
    const at = (options.now ?? new Date()).toISOString();
    await trx.updateTable('phone_numbers').set({ status: 'active', verified_at: at }).where('id', '=', phoneId).execute();
    await record({
      actor: options.actor, action: `method.${pending.channel}.add`, target: `user:${userId}`, requestId: options.requestId,
      after: { id: phoneId, channel: pending.channel, number: maskNumber(pending.number) },
    });
  });
  return check;
}

export async function removePhone(store: Store, userId: string, phoneId: string, options: ChangeOptions): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('phone_numbers').selectAll().where('id', '=', phoneId).where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
    if (!row) throw new MethodError('not_found', 'no such phone number');
    await trx.updateTable('phone_numbers').set({ status: 'removed' }).where('id', '=', phoneId).execute();
    await record({ actor: options.actor, action: `method.${row.channel}.remove`, target: `user:${userId}`, requestId: options.requestId, before: { id: row.id, channel: row.channel, number: maskNumber(row.number) } });
  });
}

export async function listPhones(db: Db | Tx, userId: string): Promise<PhoneNumbersTable[]> {
  return db.selectFrom('phone_numbers').selectAll().where('user_id', '=', userId).where('status', '=', 'active').orderBy('created_at').execute();
}
