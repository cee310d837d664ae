import type { SecretBox } from '../../../config/secret-box.ts';
import type { Logger } from '../../../app/logger.ts';
import type { Store } from '../../../store/store.ts';
import type { PushRequest } from '../requests.ts';
import { sendOne, type PushMessage, type SendOutcome } from './send.ts';
import { markSent, removeGoneSubscription, subscriptionsForUser, type WebSubscription } from './subscriptions.ts';
import { vapidKeys } from './vapid.ts';

/**
 * Tells a person's authenticators that a sign-in request waits, through Web
 * Push. The message carries no number to match and no secret: only that a
 * request waits, its id and the app's name. The authenticator then fetches the
 * request over the signed protocol, as the long poll does. Nothing here may hold
 * up a sign-in: callers start it and do not wait (see announce.ts).
 */
export interface NotifyDeps {
  /** A gone subscription's removal is audited, so it needs the store, not only its queries. */
  store: Store;
  secrets: SecretBox;
  logger: Logger;
  /** The VAPID subject, or none: then Web Push is off and the long poll alone carries requests. */
  subject: string | null;
  allowPrivateOrigins: readonly string[];
  /** Per attempt; a push service that does not answer in time is given up on. */
  timeoutMs?: number;
}

/** The payload, as docs/push-protocol.md describes it. */
export interface SigninNotice {
  v: 1;
  type: 'signin-request';
  requestId: string;
  app: string;
  expiresAt: string;
}

const ATTEMPTS = 3;
const BACKOFF_MS = [1000, 4000];

export function signinNotice(r: PushRequest, app: string): SigninNotice {
  return { v: 1, type: 'signin-request', requestId: r.id, app: app.slice(0, 128), expiresAt: r.expiresAt };
}

/** Sends to one subscription, retrying 429 / 5xx a couple of times but never past the request's expiry. */
async function deliver(deps: NotifyDeps, target: WebSubscription, notice: SigninNotice, send: (ttl: number) => Promise<SendOutcome>): Promise<SendOutcome> {
  const expiry = Date.parse(notice.expiresAt);
  let outcome: SendOutcome = { kind: 'refused', status: null, reason: 'expired before sending' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ttl = Math.floor((expiry - Date.now()) / 1000);
    if (ttl <= 0) break;
    outcome = await send(ttl);
    if (outcome.kind !== 'retry' || attempt === ATTEMPTS - 1) break;
    const wait = Math.min(outcome.retryAfterMs ?? BACKOFF_MS[attempt]!, 10_000);
    if (Date.now() + wait >= expiry) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const removed = outcome.kind === 'gone' && (await removeGoneSubscription(deps.store, target, outcome.status));
  if (outcome.kind === 'delivered') await markSent(deps.store.db, target.credentialId);
  // The endpoint is a capability URL: only its origin is ever logged.
  const fields = { credentialId: target.credentialId, pushService: target.origin, requestId: notice.requestId, outcome: outcome.kind, status: outcome.status };
  if (outcome.kind === 'delivered') deps.logger.debug(fields, 'web push sent');
  else if (outcome.kind === 'gone') deps.logger.info(fields, removed ? 'web push subscription gone; removed' : 'web push subscription gone; the device had already sent a new one, which stays');
  else deps.logger.warn({ ...fields, reason: outcome.reason }, 'web push not delivered; the authenticator still finds the request by polling');
  return outcome;
}

/** Notifies every subscribed authenticator of the request's person; answers what happened to each. */
export async function notifySigninRequest(deps: NotifyDeps, r: PushRequest, app: string): Promise<SendOutcome[]> {
  if (!deps.subject) return [];
  const targets = await subscriptionsForUser(deps.store.db, deps.secrets, r.userId);
  if (!targets.length) return [];
  const vapid = await vapidKeys(deps.store.db, deps.secrets);
  const notice = signinNotice(r, app);
  const payload = JSON.stringify(notice);
  const options = { allowPrivateOrigins: deps.allowPrivateOrigins, timeoutMs: deps.timeoutMs ?? 10_000 };
  return Promise.all(targets.map((target) => {
    const message = (ttl: number): PushMessage => ({ payload, ttlSeconds: ttl, subject: deps.subject! });
    return deliver(deps, target, notice, (ttl) => sendOne(target, message(ttl), vapid, options));
  }));
}
