import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEndpoint, isPrivateAddress, publicOnlyLookup } from './endpoint.ts';

test('private, loopback, link-local and mapped addresses are private; public ones are not', () => {
  for (const a of ['127.0.0.1', '10.2.3.4', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', 'not an address']) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '142.250.74.10', '2a00:1450:4001:80b::200a', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
});

test('an endpoint must be a public https URL unless its origin is allowed by name', () => {
  assert.equal(checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', []).ok, true);
  const refused = ['http://fcm.googleapis.com/x', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://10.0.0.1/x', 'https://localhost/x', 'https://push.localhost/x',
    'https://printer.local/x', 'https://intranet/x', 'https://u:p@fcm.googleapis.com/x', 'javascript:alert(1)', 'not a url', `https://fcm.googleapis.com/${'a'.repeat(2100)}`];
  for (const e of refused) assert.equal(checkEndpoint(e, []).ok, false, e);
  assert.equal(checkEndpoint('http://127.0.0.1:8090/push/1', ['http://127.0.0.1:8090']).ok, true);
  assert.equal(checkEndpoint('http://127.0.0.1:8091/push/1', ['http://127.0.0.1:8090']).ok, false, 'only the exact origin');
});

test('the connection lookup refuses a name that resolves to this machine', async () => {
  const lookup = publicOnlyLookup();
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
  assert.equal(err?.code, 'EPRIVATE');
});
