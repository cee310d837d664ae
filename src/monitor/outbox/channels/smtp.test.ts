import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smtpOptions } from './smtp.ts';

test('smtp:// requires STARTTLS except to this machine; smtps:// is TLS from the start', () => {
  const remote = smtpOptions({ url: 'smtp://relay:p%40ss@mail.example.com', from: 'id@example.com' });
  assert.equal(remote.port, 587);
  assert.equal(remote.secure, false);
  assert.equal(remote.requireTLS, true);
  assert.deepEqual(remote.auth, { user: 'relay', pass: 'p@ss' });
  const local = smtpOptions({ url: 'smtp://127.0.0.1:25', from: 'id@example.com' });
  assert.equal(local.requireTLS, false);
  const implicit = smtpOptions({ url: 'smtps://mail.example.com', from: 'id@example.com' });
  assert.equal(implicit.port, 465);
  assert.equal(implicit.secure, true);
  assert.equal((implicit.tls as { rejectUnauthorized: boolean }).rejectUnauthorized, true);
});
