import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceSignature, deviceWords, noticeFromAudit, noticeFromSignin } from './notices.ts';
import { coordinatesOf } from '../../policy/geo/coordinates.ts';
import { fact } from '../../../test/monitor/detections/facts.ts';
import type { AuditFact } from '../detections/model.ts';

const entry = (action: string, after: Record<string, unknown> | null = null): AuditFact => ({ seq: 3, at: '2026-03-02T09:00:00.000Z', actor: 'user:u1', action, userId: 'u1', after });

test('a browser update is the same device; another browser or system is not', () => {
  const ff = (v: number) => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
  assert.equal(deviceSignature(ff(128)), deviceSignature(ff(129)));
  assert.equal(deviceSignature(ff(128)), 'Mozilla (X11; Linux x86_64; rv) Gecko Firefox');
  assert.notEqual(deviceSignature(ff(128)), deviceSignature('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'));
  assert.equal(deviceSignature(null), null);
});

test('which audit entries are news to the person', () => {
  assert.equal(noticeFromAudit(entry('method.webauthn.add'))?.kind, 'method_added');
  assert.equal(noticeFromAudit(entry('method.backup_codes.generate'))?.kind, 'method_added');
  assert.equal(noticeFromAudit(entry('method.sms.remove'))?.kind, 'method_removed');
  assert.deepEqual(noticeFromAudit(entry('tap.create', { expiresAt: '2026-03-02T10:00:00.000Z' })), { kind: 'tap_issued', key: 'audit:3', userId: 'u1', at: '2026-03-02T09:00:00.000Z', validUntil: '2026-03-02T10:00:00.000Z' });
  assert.equal(noticeFromAudit(entry('method.password.changed'))?.kind, 'password_changed');
  assert.equal(noticeFromAudit(entry('method.password.set', { replaced: true }))?.kind, 'password_changed');
  assert.equal(noticeFromAudit(entry('method.password.set')), null, 'a new account\'s first password');
  assert.equal(noticeFromAudit(entry('role.grant', { role: 'auditor' })), null);
});

test('a new device or country is new against the person\'s own fresh sign-ins; a session reused by an app is not a sign-in to tell about', () => {
  const ok = (m: number, ip: string, userAgent = 'Firefox/1') => fact(m, { userId: 'u1', ip, userAgent, result: 'success', reason: 'ok' });
  assert.equal(noticeFromSignin(ok(10, '5.9.0.1'), [], coordinatesOf), null);
  assert.equal(noticeFromSignin(ok(10, '81.2.69.142'), [ok(0, '81.2.69.142')], coordinatesOf), null);
  const abroad = noticeFromSignin(ok(10, '5.9.0.1'), [ok(0, '81.2.69.142')], coordinatesOf);
  assert.deepEqual(abroad && [abroad.kind, abroad.kind === 'new_signin' && abroad.country], ['new_signin', 'DE']);
  const reused = { ...ok(10, '5.9.0.1', 'Chrome/9'), reason: 'session_reused' };
  assert.equal(noticeFromSignin(reused, [ok(0, '81.2.69.142')], coordinatesOf), null);
});

test('the device in an e-mail is named from a fixed list, never the user agent as sent', () => {
  assert.equal(deviceWords('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'), 'Chrome on macOS');
  assert.equal(deviceWords('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1'), 'Safari on iOS');
  assert.equal(deviceWords('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0'), 'Edge on Windows');
  assert.equal(deviceWords('Your account is locked, call +1 555 0100 or visit https://evil.example'), 'an unrecognised app or device');
  const n = noticeFromSignin(
    fact(10, { userId: 'u1', ip: 'not an address <b>', userAgent: 'visit https://evil.example', result: 'success', reason: 'ok' }),
    [fact(0, { userId: 'u1', ip: '81.2.69.142', userAgent: 'Firefox/1', result: 'success', reason: 'ok' })], () => null,
  );
  assert.deepEqual(n && n.kind === 'new_signin' && [n.device, n.address], ['an unrecognised app or device', null]);
});
