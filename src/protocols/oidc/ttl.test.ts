import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshTokenTtl, ttlSettings, REFRESH_TOKEN_SLIDING_TTL } from './ttl.ts';
import type { Config } from '../../config/config.ts';

const now = () => Math.floor(Date.now() / 1000);
const DAY = 24 * 3600;

test('refresh tokens slide by 14 days but never past 30 days after the chain began', () => {
  assert.equal(refreshTokenTtl(undefined, { iiat: now() }), REFRESH_TOKEN_SLIDING_TTL);
  assert.equal(refreshTokenTtl(undefined, { iiat: now() - 10 * DAY }), 14 * DAY);
  const late = refreshTokenTtl(undefined, { iiat: now() - 20 * DAY });
  assert.ok(Math.abs(late - 10 * DAY) <= 2, `${late}`);
  assert.equal(refreshTokenTtl(undefined, { iiat: now() - 40 * DAY }), 1, 'past the cap: effectively expired');
});

test('the provider session lapses when idle and ends the absolute time after sign-in', () => {
  const ttl = ttlSettings({ session: { idleSeconds: 3600, absoluteSeconds: 8 * 3600 } } as Config);
  assert.equal(ttl.Session(undefined, {}), 3600, 'each use gives another idle period');
  assert.equal(ttl.Session(undefined, { loginTs: now() - 3 * 3600 }), 3600);
  const left = ttl.Session(undefined, { loginTs: now() - 7.5 * 3600 });
  assert.ok(Math.abs(left - 1800) <= 2, 'but never past the absolute limit');
  assert.equal(ttl.AccessToken, 600);
  assert.equal(ttl.IdToken, 3600);
});
