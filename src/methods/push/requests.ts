import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import { countryOf } from '../../policy/geo/country.ts';
import { checkPushBombing, pushRefusal, type PushRefusal } from './defence.ts';
import { verifySignature, type PublicJwk } from './keys.ts';
import { approvalSigningString } from './protocol.ts';
import { getPushSettings } from './settings.ts';
import { setUserRisk } from './risk.ts';
import type { PushAttempt, PushRecorder } from './events.ts';
import type { PushRequestsTable } from './tables.ts';
import { announcePushRequest } from './webpush/announce.ts';

export interface PushRequest {
  id: string;
  userId: string;
  transactionId: string | null;
  number: string;
  nonce: string;
  appName: string | null;
  ip: string | null;
  location: string;
  status: PushRequestsTable['status'];
  createdAt: string;
  expiresAt: string;
  answeredAt: string | null;
}

function toRequest(r: PushRequestsTable): PushRequest {
  return {
    id: r.id, userId: r.user_id, transactionId: r.transaction_id, number: r.number, nonce: r.nonce, appName: r.app_name,
    ip: r.ip, location: r.location, status: r.status, createdAt: r.created_at, expiresAt: r.expires_at, answeredAt: r.answered_at,
  };
}

/** A pending request past its time is expired whether or not anybody wrote that down yet. */
export function effectiveStatus(r: PushRequest, now = new Date()): PushRequest['status'] {
  return r.status === 'pending' && new Date(r.expiresAt) <= now ? 'expired' : r.status;
}

export interface NewPushRequest {
  userId: string;
  username?: string | null;
  transactionId?: string | null;
  appName?: string | null;
  ip?: string | null;
}

/** Approximate location from the address: a country when the offline database knows it. */
export function approximateLocation(ip: string | null | undefined): string {
  try {
    return countryOf(ip) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Sends a push request (stores it: authenticators on any node pick it up),
 * unless the user's push limit is reached or push is suspended; a refusal is
 * recorded as a refused attempt.
 */
export async function sendPushRequest(store: Store, record: PushRecorder, input: NewPushRequest, now = new Date()): Promise<{ ok: true; request: PushRequest } | { ok: false; refusal: PushRefusal }> {
  const s = await getPushSettings(store.db);
  const result = await store.serialized(`push:${input.userId}`, async (trx) => {
    // Requests that went unanswered count even when no sign-in page looked at them again.
    await checkPushBombing(trx, input.userId, s, record, { ip: input.ip, username: input.username, transactionId: input.transactionId }, now);
    const refusal = await pushRefusal(trx, input.userId, s, now);
    if (refusal) return { ok: false as const, refusal };
    const row: PushRequestsTable = {
      id: randomUUID(),
      user_id: input.userId,
      transaction_id: input.transactionId ?? null,
      number: String(randomInt(10, 100)),
      nonce: randomBytes(24).toString('base64url'),
      app_name: input.appName?.slice(0, 128) ?? null,
      ip: input.ip ?? null,
      location: approximateLocation(input.ip),
      status: 'pending',
      credential_id: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + s.requestTtlSeconds * 1000).toISOString(),
      answered_at: null,
    };
    await trx.insertInto('push_requests').values(row).execute();
    return { ok: true as const, request: toRequest(row) };
  });
  // Web Push (when set up) tells the person's authenticators; it runs on its own.
  if (result.ok) announcePushRequest(store, result.request);
  if (!result.ok) {
    await record.attempt(store.db, {
      userId: input.userId, username: input.username ?? null, ip: input.ip ?? null, result: 'locked',
      reason: result.refusal.reason === 'suspended' ? 'push_suspended' : 'push_rate_limited', transactionId: input.transactionId ?? null, at: now,
    });
  }
  return result;
}

export async function getPushRequest(db: Db | Tx, id: string): Promise<PushRequest | null> {
  const row = await db.selectFrom('push_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRequest(row) : null;
}

/** The newest request a sign-in transaction sent. */
export async function latestForTransaction(db: Db | Tx, transactionId: string): Promise<PushRequest | null> {
  const row = await db.selectFrom('push_requests').selectAll().where('transaction_id', '=', transactionId).orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
  return row ? toRequest(row) : null;
}

/** Requests an authenticator of this user may answer now. */
export async function pendingForUser(db: Db | Tx, userId: string, now = new Date()): Promise<PushRequest[]> {
  const rows = await db
    .selectFrom('push_requests').selectAll()
    .where('user_id', '=', userId).where('status', '=', 'pending').where('expires_at', '>', now.toISOString())
    .orderBy('created_at').execute();
  return rows.map(toRequest);
}

export type AnswerResult = 'approved' | 'denied' | 'reported' | 'wrong_number' | 'bad_signature' | 'expired' | 'not_found' | 'already_answered';

export interface Answerer {
  credentialId: string;
  userId: string;
  publicKey: PublicJwk;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a.padEnd(8, '\0').slice(0, 8));
  const y = Buffer.from(b.padEnd(8, '\0').slice(0, 8));
  return timingSafeEqual(x, y) && a.length === b.length;
}

async function usernameOf(db: Db | Tx, userId: string): Promise<string | null> {
  const u = await db.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
  return u?.username ?? null;
}

/** Claims a pending, unexpired request of this user for an answer, or says why not (marking an expired one). */
async function claim(trx: Tx, who: Answerer, requestId: string, now: Date): Promise<PushRequest | AnswerResult> {
  const row = await trx.selectFrom('push_requests').selectAll().where('id', '=', requestId).where('user_id', '=', who.userId).executeTakeFirst();
  if (!row) return 'not_found';
  const r = toRequest(row);
  if (effectiveStatus(r, now) === 'expired') {
    if (r.status === 'pending') await trx.updateTable('push_requests').set({ status: 'expired' }).where('id', '=', r.id).execute();
    return 'expired';
  }
  if (r.status !== 'pending') return 'already_answered';
  return r;
}

// Only failures: the sign-in's own success row records an approval.
function failedAnswer(r: PushRequest, reason: PushAttempt['reason'], username: string | null, now: Date): PushAttempt {
  return { userId: r.userId, username, ip: r.ip, result: 'failure', reason, transactionId: r.transactionId, at: now };
}

/**
 * Approval: the number the person typed and a signature by the device key
 * over (request id, number, server nonce). A wrong number fails the request.
 */
export async function approvePush(store: Store, record: PushRecorder, who: Answerer, requestId: string, number: string, signature: string, now = new Date()): Promise<AnswerResult> {
  const s = await getPushSettings(store.db);
  return store.serialized(`push:${who.userId}`, async (trx) => {
    const r = await claim(trx, who, requestId, now);
    if (typeof r === 'string') return r;
    if (!verifySignature(who.publicKey, approvalSigningString(r.id, number, r.nonce), signature)) return 'bad_signature';
    const username = await usernameOf(trx, r.userId);
    if (!sameString(number, r.number)) {
      await trx.updateTable('push_requests').set({ status: 'denied', credential_id: who.credentialId, answered_at: now.toISOString() }).where('id', '=', r.id).execute();
      await record.attempt(trx, failedAnswer(r, 'push_wrong_number', username, now));
      await checkPushBombing(trx, r.userId, s, record, { ip: r.ip, username, transactionId: r.transactionId }, now);
      return 'wrong_number';
    }
    await trx.updateTable('push_requests').set({ status: 'approved', credential_id: who.credentialId, answered_at: now.toISOString() }).where('id', '=', r.id).execute();
    await trx.updateTable('push_credentials').set({ last_used_at: now.toISOString() }).where('id', '=', who.credentialId).execute();
    return 'approved';
  });
}

/**
 * Denial. `report` ("Deny — this wasn't me") also marks the user's risk high
 * and raises an alert: somebody else has the password.
 */
export async function denyPush(store: Store, record: PushRecorder, who: Answerer, requestId: string, report: boolean, now = new Date()): Promise<AnswerResult> {
  const s = await getPushSettings(store.db);
  return store.serialized(`push:${who.userId}`, async (trx) => {
    const r = await claim(trx, who, requestId, now);
    if (typeof r === 'string') return r;
    const status = report ? 'reported' : 'denied';
    await trx.updateTable('push_requests').set({ status, credential_id: who.credentialId, answered_at: now.toISOString() }).where('id', '=', r.id).execute();
    const username = await usernameOf(trx, r.userId);
    await record.attempt(trx, failedAnswer(r, report ? 'push_reported_not_me' : 'push_denied', username, now));
    if (report) {
      await setUserRisk(trx, r.userId, 'high', 'push_reported_not_me', now);
      await record.alert(trx, {
        kind: 'push.reported', userId: r.userId, username,
        details: { requestId: r.id, ip: r.ip, location: r.location, app: r.appName }, at: now,
      });
    }
    await checkPushBombing(trx, r.userId, s, record, { ip: r.ip, username, transactionId: r.transactionId }, now);
    return status;
  });
}

/**
 * Notes that a sign-in saw its request go unanswered; may suspend push.
 * Returns when push got suspended by this.
 */
export async function noteUnanswered(store: Store, record: PushRecorder, r: PushRequest, username: string | null, now = new Date()): Promise<string | null> {
  const s = await getPushSettings(store.db);
  return store.serialized(`push:${r.userId}`, async (trx) => {
    const u = await trx.updateTable('push_requests').set({ status: 'expired' }).where('id', '=', r.id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(u.numUpdatedRows) > 0) {
      await record.attempt(trx, failedAnswer(r, 'push_unanswered', username, now));
    }
    return checkPushBombing(trx, r.userId, s, record, { ip: r.ip, username, transactionId: r.transactionId }, now);
  });
}

/** Uses an approval for the sign-in that asked: once only. */
export async function consumeApproval(db: Db | Tx, transactionId: string, requestId: string): Promise<boolean> {
  const u = await db
    .updateTable('push_requests').set({ status: 'consumed' })
    .where('id', '=', requestId).where('transaction_id', '=', transactionId).where('status', '=', 'approved')
    .executeTakeFirst();
  return Number(u.numUpdatedRows) === 1;
}
