import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lazyModule } from '../../../app/lazy.ts';
import { checkEndpoint, publicOnlyLookup } from './endpoint.ts';
import type { VapidKeys } from './vapid.ts';
import type { WebSubscription } from './subscriptions.ts';

/**
 * One Web Push message (RFC 8030 §5) to one subscription. web-push encrypts the
 * payload (RFC 8291, aes128gcm) and makes the VAPID Authorization header (RFC
 * 8292, aud = the push service's origin); the request itself is made here so
 * the address checks apply when connecting, redirects are never followed and
 * a slow push service is cut off.
 */
export interface PushMessage {
  payload: string;
  /** Seconds the push service may keep the message: the request's remaining lifetime. */
  ttlSeconds: number;
  /** The VAPID subject: a mailto: or https: URL. */
  subject: string;
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  /** 404 / 410: the subscription no longer exists. */
  | { kind: 'gone'; status: number }
  /** 429, 5xx or a network failure: worth one more try, after retryAfterMs when the push service says. */
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; reason: string }
  | { kind: 'refused'; status: number | null; reason: string };

export interface SendOptions {
  allowPrivateOrigins: readonly string[];
  timeoutMs: number;
}

function retryAfterMs(value: string | string[] | undefined): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function outcomeOf(status: number, retryAfter: string | string[] | undefined): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) return { kind: 'retry', status, retryAfterMs: retryAfterMs(retryAfter), reason: `the push service answered ${status}` };
  return { kind: 'refused', status, reason: `the push service answered ${status}` };
}

/** web-push is loaded with the first message, not by every server at start-up. */
const webpush = lazyModule(async () => (await import('web-push')).default);

export async function sendOne(target: WebSubscription, message: PushMessage, vapid: VapidKeys, options: SendOptions): Promise<SendOutcome> {
  const checked = checkEndpoint(target.endpoint, options.allowPrivateOrigins);
  if (!checked.ok) return { kind: 'refused', status: null, reason: checked.reason };
  const details = (await webpush()).generateRequestDetails(
    { endpoint: checked.url.href, keys: { p256dh: target.p256dh, auth: target.auth } },
    message.payload,
    {
      vapidDetails: { subject: message.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: Math.max(0, Math.floor(message.ttlSeconds)),
      urgency: 'high',
      contentEncoding: 'aes128gcm',
    },
  );
  const send = checked.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    const req = send(checked.url, {
      method: 'POST',
      headers: details.headers as Record<string, string | number>,
      lookup: checked.allowedPrivate ? undefined : publicOnlyLookup(),
      timeout: options.timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(outcomeOf(res.statusCode ?? 0, res.headers['retry-after'])));
      res.on('error', () => resolve(outcomeOf(res.statusCode ?? 0, res.headers['retry-after'])));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ kind: 'refused', status: null, reason: `no answer within ${options.timeoutMs} ms` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPRIVATE') resolve({ kind: 'refused', status: null, reason: err.message });
      else resolve({ kind: 'retry', status: null, retryAfterMs: null, reason: err.code ?? 'network error' });
    });
    req.end(details.body);
  });
}
