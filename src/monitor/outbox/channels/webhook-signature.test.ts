import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature.ts';

const SECRET = 's'.repeat(32);
const BODY = '{"type":"alert"}';

test('the signature is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed sha256=', () => {
  const expected = createHmac('sha256', SECRET).update(`1764583200.${BODY}`).digest('hex');
  assert.equal(webhookSignature(SECRET, '1764583200', BODY), `sha256=${expected}`);
});

test('a receiver accepts a fresh, intact request and refuses a replay, a changed body or a wrong secret', () => {
  const now = 1_764_583_200_000;
  const ts = String(now / 1000);
  const sig = webhookSignature(SECRET, ts, BODY);
  assert.equal(verifyWebhookSignature(SECRET, ts, BODY, sig, now), true);
  assert.equal(verifyWebhookSignature(SECRET, ts, BODY, sig, now + 301_000), false, 'older than five minutes');
  assert.equal(verifyWebhookSignature(SECRET, ts, `${BODY} `, sig, now), false);
  assert.equal(verifyWebhookSignature('t'.repeat(32), ts, BODY, sig, now), false);
  assert.equal(verifyWebhookSignature(SECRET, undefined, BODY, sig, now), false);
  assert.equal(verifyWebhookSignature(SECRET, ts, BODY, 'sha256=00', now), false);
});
