import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook's signature, the same on both sides: the sender signs
 * `<timestamp>.<body>` with HMAC-SHA256 under the shared secret and sends
 *
 *   X-Tessera-Timestamp: <unix seconds>
 *   X-Tessera-Signature: sha256=<hex>
 *   X-Tessera-Delivery:  <delivery id, the same on a retry>
 *
 * A receiver recomputes the HMAC over the raw body bytes, compares in
 * constant time, refuses a timestamp more than five minutes from its clock
 * (a replay), and drops a delivery id it has already handled (a retry after
 * a lost answer).
 */
export const TIMESTAMP_HEADER = 'x-tessera-timestamp';
export const SIGNATURE_HEADER = 'x-tessera-signature';
export const DELIVERY_HEADER = 'x-tessera-delivery';
export const REPLAY_WINDOW_SECONDS = 300;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does; used by the tests' receiver and there for anyone writing one in TypeScript. */
export function verifyWebhookSignature(secret: string, timestamp: string | undefined, body: string, signature: string | undefined, now = Date.now()): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
