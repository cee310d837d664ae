import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../../../config/secret-box.ts';
import { auditedChange } from '../../../audit/append.ts';
import type { Db, Store } from '../../../store/store.ts';
import { checkEndpoint, MAX_ENDPOINT_LENGTH } from './endpoint.ts';

/**
 * Each push authenticator's Web Push subscription (RFC 8030 / 8291): the push
 * service endpoint, the browser's P-256 key and its 16-byte auth secret. One per
 * device key; a new one replaces the old. The auth secret is sealed at rest.
 */
const AUTH_PURPOSE = 'webpush-auth-secret';

export const subscriptionBody = z.strictObject({
  endpoint: z.string().min(1).max(MAX_ENDPOINT_LENGTH),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{87}$/, 'keys.p256dh must be the base64url uncompressed P-256 point (65 bytes)'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'keys.auth must be the base64url 16-byte authentication secret'),
  }).strip(),
  // Browsers' PushSubscription.toJSON() includes it; it is not used.
  expirationTime: z.number().nullish(),
});
export type SubscriptionBody = z.infer<typeof subscriptionBody>;

export interface WebSubscription {
  credentialId: string;
  endpoint: string;
  origin: string;
  p256dh: string;
  auth: string;
}

/** Is this the browser's key: an uncompressed point (0x04 ‖ x ‖ y) on P-256? */
export function validBrowserKey(p256dh: string): boolean {
  const raw = Buffer.from(p256dh, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return false;
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

export type SaveResult = { ok: true; origin: string } | { ok: false; reason: string };

/** Who the subscription belongs to: the authenticated device key and its person. */
export interface SubscriptionOwner {
  credentialId: string;
  userId: string;
}

/**
 * What the audit log keeps of a subscription: the authenticator and its push
 * service's origin. The endpoint URL is a capability (whoever has it can push
 * to the device) and the keys are secrets, so neither is ever recorded.
 */
function audited(credentialId: string, origin: string) {
  return { credentialId, pushService: origin };
}

/** The person changes their own method, through their device key. */
const ownerActor = (owner: SubscriptionOwner) => `user:${owner.userId}`;

/**
 * Registers or replaces the device's subscription, audited under its person in
 * the same transaction. Sending the one already stored again (a browser does
 * on each start) changes nothing and writes no audit entry.
 */
export async function saveSubscription(
  store: Store, secrets: SecretBox, owner: SubscriptionOwner, body: SubscriptionBody, allowPrivateOrigins: readonly string[],
  options: { requestId?: string | null; now?: Date } = {},
): Promise<SaveResult> {
  const checked = checkEndpoint(body.endpoint, allowPrivateOrigins);
  if (!checked.ok) return checked;
  if (!validBrowserKey(body.keys.p256dh)) return { ok: false, reason: 'keys.p256dh is not a P-256 public key' };
  const at = (options.now ?? new Date()).toISOString();
  const origin = checked.url.origin;
  await auditedChange(store, async (trx, record) => {
    const old = await trx.selectFrom('push_web_subscriptions').select(['endpoint', 'endpoint_origin', 'p256dh', 'auth_sealed'])
      .where('credential_id', '=', owner.credentialId).executeTakeFirst();
    if (old && sameSubscription(secrets, old, checked.url.href, body)) return;
    const values = {
      endpoint: checked.url.href, endpoint_origin: origin, p256dh: body.keys.p256dh,
      auth_sealed: secrets.seal(Buffer.from(body.keys.auth, 'base64url'), AUTH_PURPOSE), updated_at: at, last_sent_at: null,
    };
    await trx
      .insertInto('push_web_subscriptions')
      .values({ credential_id: owner.credentialId, user_id: owner.userId, created_at: at, ...values })
      .onConflict((oc) => oc.column('credential_id').doUpdateSet(values))
      .execute();
    await record({
      actor: ownerActor(owner), action: old ? 'method.push.subscription.replace' : 'method.push.subscription.add',
      target: ownerActor(owner), requestId: options.requestId,
      before: old ? audited(owner.credentialId, old.endpoint_origin) : undefined, after: audited(owner.credentialId, origin),
    });
  });
  return { ok: true, origin };
}

function sameSubscription(secrets: SecretBox, old: { endpoint: string; p256dh: string; auth_sealed: string }, endpoint: string, body: SubscriptionBody): boolean {
  if (old.endpoint !== endpoint || old.p256dh !== body.keys.p256dh) return false;
  return secrets.open(old.auth_sealed, AUTH_PURPOSE).toString('base64url') === body.keys.auth;
}

/** The device turns Web Push off; audited under its person. False (and nothing written) when there was none. */
export async function removeSubscription(store: Store, owner: SubscriptionOwner, options: { requestId?: string | null } = {}): Promise<boolean> {
  return auditedChange(store, async (trx, record) => {
    const old = await trx.deleteFrom('push_web_subscriptions').where('credential_id', '=', owner.credentialId)
      .returning('endpoint_origin').executeTakeFirst();
    if (!old) return false;
    await record({
      actor: ownerActor(owner), action: 'method.push.subscription.remove', target: ownerActor(owner),
      requestId: options.requestId, before: audited(owner.credentialId, old.endpoint_origin),
    });
    return true;
  });
}

/**
 * A push service said the subscription is gone: remove it unless the device has
 * meanwhile sent a new one. Tessera itself made this change, so the system is the actor.
 * Answers whether it removed one.
 */
export async function removeGoneSubscription(store: Store, s: WebSubscription, status: number): Promise<boolean> {
  return auditedChange(store, async (trx, record) => {
    const old = await trx.deleteFrom('push_web_subscriptions').where('credential_id', '=', s.credentialId).where('endpoint', '=', s.endpoint)
      .returning(['user_id', 'endpoint_origin']).executeTakeFirst();
    if (!old) return false;
    await record({
      actor: 'system', action: 'method.push.subscription.gone', target: `user:${old.user_id}`,
      before: audited(s.credentialId, old.endpoint_origin),
      after: { reason: `the push service answered ${status}: it no longer delivers to this authenticator, which still finds requests by asking` },
    });
    return true;
  });
}

export async function markSent(db: Db, credentialId: string, now = new Date()): Promise<void> {
  await db.updateTable('push_web_subscriptions').set({ last_sent_at: now.toISOString() }).where('credential_id', '=', credentialId).execute();
}

/** The subscriptions of a person's active authenticators on active devices. */
export async function subscriptionsForUser(db: Db, secrets: SecretBox, userId: string): Promise<WebSubscription[]> {
  const rows = await db
    .selectFrom('push_web_subscriptions as s')
    .innerJoin('push_credentials as c', 'c.id', 's.credential_id')
    .leftJoin('devices as d', 'd.id', 'c.device_id')
    .select(['s.credential_id', 's.endpoint', 's.endpoint_origin', 's.p256dh', 's.auth_sealed', 'd.status as device_status'])
    .where('s.user_id', '=', userId)
    .where('c.status', '=', 'active')
    .execute();
  return rows
    .filter((r) => r.device_status === null || r.device_status === 'active')
    .map((r) => ({
      credentialId: r.credential_id, endpoint: r.endpoint, origin: r.endpoint_origin, p256dh: r.p256dh,
      auth: secrets.open(r.auth_sealed, AUTH_PURPOSE).toString('base64url'),
    }));
}
