import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectAdminGrant, detectMethodAfterRisky, detectSigninAfterReport } from './events.ts';
import { detectAppFailures } from './apps.ts';
import { at, defaults, fact } from '../../../test/monitor/detections/facts.ts';
import type { AuditFact } from './model.ts';

const s = defaults();
const entry = (action: string, after: Record<string, unknown> | null = null): AuditFact => ({ seq: 7, at: at(30), actor: 'user:admin', action, userId: 'u1', after });

test('granting an administrative role raises a high alert once per grant; other roles and actions do not', () => {
  const found = detectAdminGrant(entry('role.grant', { role: 'global_admin' }), 'ann');
  assert.deepEqual([found?.kind, found?.severity, found?.subject, found?.once], ['role.admin_granted', 'high', 'audit:7', true]);
  assert.equal(detectAdminGrant(entry('role.grant', { role: 'auditor' }), 'ann'), null);
  assert.equal(detectAdminGrant(entry('role.revoke', { role: 'global_admin' }), 'ann'), null);
});

test('a method added within the hour after a risky sign-in; after a calm one, nothing', () => {
  const signin = fact(0, { userId: 'u1', ip: '203.0.113.5', result: 'success', reason: 'ok' });
  const found = detectMethodAfterRisky(entry('method.totp.add'), 'ann', [{ signin, level: 'medium', why: 'sign-in risk' }], s);
  assert.equal(found?.kind, 'method.added_after_risky_signin');
  assert.deepEqual(found?.risk, { scope: 'user', level: 'high', userId: 'u1' });
  assert.equal(detectMethodAfterRisky(entry('method.totp.add'), 'ann', [{ signin, level: 'low', why: 'sign-in risk' }], s), null);
  assert.equal(detectMethodAfterRisky(entry('method.totp.add'), 'ann', [], s), null);
  assert.equal(detectMethodAfterRisky(entry('method.totp.remove'), 'ann', [{ signin, level: 'high', why: 'x' }], s), null);
});

test('a sign-in after a "this wasn\'t me" report raises a high alert', () => {
  const row = fact(60, { userId: 'u1', result: 'success', reason: 'ok' });
  assert.equal(detectSigninAfterReport(row, [{ at: at(10), how: 'link' }])?.kind, 'signin.after_report');
  assert.equal(detectSigninAfterReport(row, []), null);
  assert.equal(detectSigninAfterReport(row, [{ at: at(90), how: 'push' }]), null, 'a report after the sign-in is not before it');
});

test('an app whose sign-ins mostly fail; a busy app with a few failures is quiet', () => {
  const failing = Array.from({ length: 20 }, (_, i) => fact(i * 0.5, { clientId: 'mail', userId: `u${i}`, result: i < 12 ? 'failure' : 'success', reason: i < 12 ? 'policy_blocked' : 'ok' }));
  const found = detectAppFailures(failing, failing, s);
  assert.deepEqual(found.map((f) => [f.kind, f.subject, f.risk]), [['app.failure_rate', 'client:mail', null]]);
  const healthy = failing.map((r, i) => (i < 3 ? r : { ...r, result: 'success' as const, reason: 'ok' }));
  assert.deepEqual(detectAppFailures(healthy, healthy, s), []);
});
