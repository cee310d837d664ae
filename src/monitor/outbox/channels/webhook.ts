import type { DeliveryConfig } from '../../../config/delivery.ts';
import { DeliveryError } from './errors.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.ts';

const TIMEOUT_MS = 10_000;

/** POSTs one JSON document to the configured webhook, signed (webhook-signature.ts). A 2xx answer is a delivery. */
export async function sendWebhook(config: DeliveryConfig['webhook'], deliveryId: string, document: unknown): Promise<void> {
  if (!config) throw new DeliveryError('no webhook is configured (TESSERA_ALERT_WEBHOOK_URL)');
  const body = JSON.stringify(document);
  const timestamp = String(Math.floor(Date.now() / 1000));
  let response: Response;
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Alerts',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: webhookSignature(config.secret, timestamp, body),
        [DELIVERY_HEADER]: deliveryId,
      },
      body,
      // A redirect would hand the signed body to an address nobody configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : cause ?? (err as Error).message;
    throw new DeliveryError(`the webhook could not be reached: ${why}`);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new DeliveryError(`the webhook answered HTTP ${response.status}`);
}
