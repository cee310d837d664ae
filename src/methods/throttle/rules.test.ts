import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountDecision, delayMs, IP_LIMIT, IP_WINDOW_MS, ipDecision, lockAfterFailure, LOCK_MS, windowStart } from './rules.ts';
import { ipKey } from './ip-key.ts';

const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

test('the delay doubles from the fifth failure', () => {
  assert.deepEqual([0, 4, 5, 6, 7, 9].map(delayMs), [0, 0, 1000, 2000, 4000, 16000]);
  assert.equal(delayMs(40), 5 * 60_000, 'capped');
  const c = { failures: 6, lastFailureAt: t0.toISOString(), lockedUntil: null };
  assert.deepEqual(accountDecision(c, at(500)), { allowed: false, reason: 'delay', retryAfterMs: 1500 });
  assert.deepEqual(accountDecision(c, at(2000)), { allowed: true });
});

test('ten failures lock for 15 minutes, a hundred until unlocked', () => {
  assert.deepEqual(lockAfterFailure(9, t0), { lockedUntil: null, permanent: false });
  assert.deepEqual(lockAfterFailure(10, t0), { lockedUntil: at(LOCK_MS).toISOString(), permanent: false });
  assert.deepEqual(lockAfterFailure(100, t0), { lockedUntil: null, permanent: true });
  const locked = { failures: 10, lastFailureAt: t0.toISOString(), lockedUntil: at(LOCK_MS).toISOString() };
  assert.deepEqual(accountDecision(locked, at(60_000)), { allowed: false, reason: 'locked', retryAfterMs: LOCK_MS - 60_000 });
  assert.deepEqual(accountDecision(locked, at(LOCK_MS)), { allowed: true });
  assert.deepEqual(accountDecision({ ...locked, failures: 100 }, at(10 * LOCK_MS)), { allowed: false, reason: 'locked', retryAfterMs: null });
});

test('the address limit slides across two windows and says when it lifts', () => {
  const start = Date.parse(windowStart(t0));
  // 50 failures early in one window, none after: what the counters hold at any later time.
  const decideAt = (ms: number) => {
    const now = new Date(start + ms);
    return ms < IP_WINDOW_MS ? ipDecision(0, IP_LIMIT, now) : ipDecision(IP_LIMIT, 0, now);
  };
  assert.deepEqual(ipDecision(0, IP_LIMIT - 1, new Date(start)), { allowed: true });
  const full = decideAt(60_000);
  assert.equal(full.allowed, false);
  if (!full.allowed) {
    assert.equal(full.reason, 'ip_limited');
    assert.equal(decideAt(60_000 + full.retryAfterMs!).allowed, true, 'allowed when it said');
    assert.equal(decideAt(60_000 + full.retryAfterMs! - 2).allowed, false, 'and not before');
  }
  // 60 in the last window, 20 in this one: half-way through, half of the 60 still counts.
  assert.equal(ipDecision(60, 20, new Date(start + IP_WINDOW_MS / 2)).allowed, false);
  assert.equal(ipDecision(40, 20, new Date(start + IP_WINDOW_MS / 2)).allowed, true);
  const partial = ipDecision(60, 20, new Date(start + IP_WINDOW_MS / 2));
  if (!partial.allowed) {
    assert.equal(ipDecision(60, 20, new Date(start + IP_WINDOW_MS / 2 + partial.retryAfterMs!)).allowed, true);
    assert.equal(ipDecision(60, 20, new Date(start + IP_WINDOW_MS / 2 + partial.retryAfterMs! - 2)).allowed, false);
  }
});

test('addresses are bucketed, IPv6 by /64', () => {
  assert.equal(ipKey('203.0.113.7'), '203.0.113.7');
  assert.equal(ipKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(ipKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipKey('::1'), '0:0:0:0::/64');
  assert.equal(ipKey('[2001:db8:1:2::5]'), '2001:db8:1:2::/64');
  assert.equal(ipKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(ipKey('not an address'), 'other:not an address');
});
