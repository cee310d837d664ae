import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { Config } from '../../config/config.ts';
import { deriveSubkey } from '../../config/subkeys.ts';
import type { PhoneSender } from './senders.ts';
import { getPhoneSettings } from './settings.ts';
import type { PhoneCodesTable, PhoneNumbersTable } from './tables.ts';

/**
 * Six-digit codes sent by SMS or voice: 10 minutes, single use, a few wrong
 * tries each, and a per-user and per-number limit on sends.
 */
// Keyed with a secret derived from the master key: a six-digit code hashed without one could be
// brute-forced from a copy of the database within its ten minutes.
function hashCode(key: Buffer, id: string, code: string): string {
  return createHmac('sha256', key).update(`${id}:${code}`).digest('hex');
}

/** The HMAC key for phone codes, the same on every node (derived from the master key). */
export function phoneCodeKey(config: Config): Buffer {
  return deriveSubkey(config, 'phone-codes');
}

function matches(key: Buffer, row: Pick<PhoneCodesTable, 'id' | 'code_hash'>, code: string): boolean {
  const a = Buffer.from(hashCode(key, row.id, code), 'hex');
  const b = Buffer.from(row.code_hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type SendResult = { ok: true; expiresAt: string } | { ok: false; reason: 'rate_limited' };

export interface SendInput {
  phone: Pick<PhoneNumbersTable, 'id' | 'user_id' | 'number' | 'channel'>;
  purpose: PhoneCodesTable['purpose'];
  transactionId?: string | null;
  /** phoneCodeKey(config) */
  key: Buffer;
}

export async function sendPhoneCode(store: Store, sender: PhoneSender, input: SendInput, now = new Date()): Promise<SendResult> {
  const s = await getPhoneSettings(store.db);
  const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const result = await store.serialized(`phone:${input.phone.user_id}`, async (trx): Promise<SendResult> => {
    const byUser = await trx.selectFrom('phone_codes').select('id').where('user_id', '=', input.phone.user_id).where('created_at', '>', hourAgo).execute();
    const byNumber = await trx.selectFrom('phone_codes').select('id').where('number', '=', input.phone.number).where('created_at', '>', hourAgo).execute();
    if (byUser.length >= s.sendsPerUserPerHour || byNumber.length >= s.sendsPerNumberPerHour) return { ok: false, reason: 'rate_limited' };
    // A new code replaces the earlier ones for the same purpose.
    await trx.updateTable('phone_codes').set({ expires_at: now.toISOString() })
      .where('phone_id', '=', input.phone.id).where('purpose', '=', input.purpose).where('used_at', 'is', null).where('expires_at', '>', now.toISOString()).execute();
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + s.codeTtlMinutes * 60_000).toISOString();
    await trx.insertInto('phone_codes').values({
      id, user_id: input.phone.user_id, phone_id: input.phone.id, number: input.phone.number, purpose: input.purpose,
      transaction_id: input.transactionId ?? null, code_hash: hashCode(input.key, id, code), attempts: 0, created_at: now.toISOString(), expires_at: expiresAt, used_at: null,
    }).execute();
    return { ok: true, expiresAt };
  });
  if (result.ok) {
    const text = `${code} is your Tessera ${input.purpose === 'register' ? 'verification' : 'sign-in'} code. It expires in ${s.codeTtlMinutes} minutes. Never share it.`;
    await sender.send({ channel: input.phone.channel, to: input.phone.number, code, text });
  }
  return result;
}

export type CodeCheck = { ok: true; phoneId: string } | { ok: false; reason: 'invalid' | 'expired' | 'replayed' | 'locked' };

export interface CheckInput {
  userId: string;
  purpose: PhoneCodesTable['purpose'];
  /** Only codes sent to these numbers count (the channel's active numbers, or the one being registered). */
  phoneIds: string[];
  code: string;
  /** phoneCodeKey(config) */
  key: Buffer;
}

/** Checks a code and uses it up (atomically: accepted once, even with two nodes racing). */
export async function checkPhoneCode(store: Store, input: CheckInput, now = new Date()): Promise<CodeCheck> {
  if (!/^\d{6}$/.test(input.code) || !input.phoneIds.length) return { ok: false, reason: 'invalid' };
  const s = await getPhoneSettings(store.db);
  return store.serialized(`phone:${input.userId}`, async (trx: Tx) => {
    const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
    const rows = await trx.selectFrom('phone_codes').selectAll()
      .where('user_id', '=', input.userId).where('purpose', '=', input.purpose).where('phone_id', 'in', input.phoneIds).where('created_at', '>', since)
      .orderBy('created_at', 'desc').execute();
    const live = rows.filter((r) => !r.used_at && new Date(r.expires_at) > now && r.attempts < s.maxAttempts);
    for (const r of live) {
      if (!matches(input.key, r, input.code)) continue;
      const u = await trx.updateTable('phone_codes').set({ used_at: now.toISOString() }).where('id', '=', r.id).where('used_at', 'is', null).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) return { ok: false, reason: 'replayed' };
      await trx.updateTable('phone_numbers').set({ last_used_at: now.toISOString() }).where('id', '=', r.phone_id).execute();
      return { ok: true, phoneId: r.phone_id };
    }
    if (rows.some((r) => r.used_at && matches(input.key, r, input.code))) return { ok: false, reason: 'replayed' };
    if (rows.some((r) => !r.used_at && new Date(r.expires_at) <= now && matches(input.key, r, input.code))) return { ok: false, reason: 'expired' };
    const newest = live[0];
    if (!newest) return { ok: false, reason: rows.some((r) => r.attempts >= s.maxAttempts && new Date(r.expires_at) > now) ? 'locked' : 'expired' };
    await trx.updateTable('phone_codes').set({ attempts: newest.attempts + 1 }).where('id', '=', newest.id).execute();
    return { ok: false, reason: newest.attempts + 1 >= s.maxAttempts ? 'locked' : 'invalid' };
  });
}

export async function activePhones(db: Db | Tx, userId: string, channel?: PhoneNumbersTable['channel']): Promise<PhoneNumbersTable[]> {
  let q = db.selectFrom('phone_numbers').selectAll().where('user_id', '=', userId).where('status', '=', 'active');
  if (channel) q = q.where('channel', '=', channel);
  return q.orderBy('created_at').execute();
}
