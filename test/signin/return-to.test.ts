import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { safeReturnTo } from '../../src/http/routes/signin/request-facts.ts';

const PASSWORD = 'violet tangerine lighthouse';
const ISSUER = 'https://id.example.com';

test('safeReturnTo keeps only paths that stay on the issuer', () => {
  for (const good of ['/account', '/account/webauthn?x=1#top', '/a\\b']) {
    assert.ok(safeReturnTo(good, ISSUER)?.startsWith('/'), good);
  }
  assert.equal(safeReturnTo('/account/%09x', ISSUER), '/account/%09x', 'an encoded tab is only text');
  assert.equal(safeReturnTo('/caf\u00e9', ISSUER), '/caf%C3%A9', 'returned percent-encoded, always a valid header');
  const bad = [
    '/\t/evil.example/phish', '/\n/evil.example', '/\r\nSet-Cookie: x=1', '/\u0000', '/\u007f', '/\u0085',
    '//evil.example', '/\\evil.example', '/.//evil.example', '/./\\evil.example', 'https://evil.example/',
    `${ISSUER}/account`, 'account', '', `/${'a'.repeat(600)}`,
  ];
  for (const value of bad) assert.equal(safeReturnTo(value, ISSUER), null, JSON.stringify(value));
  assert.equal(safeReturnTo(42, ISSUER), null);
});

for (const engine of ENGINES) {
  test(`return_to cannot send anyone off-site, and odd characters never give a 500, on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    await createUserWithPassword(server.ctx, 'bob', PASSWORD);
    const hostile = ['/\t/evil.example/phish', '/\n/evil.example/phish', '/.//evil.example/phish'];

    await t.test('after a genuine sign-in the destination is the account page', async () => {
      for (const returnTo of hostile) {
        const b = new Browserish(server.url);
        const { afterPassword } = await startPortalSignin(b, 'bob', PASSWORD, returnTo);
        assert.equal(afterPassword.status, 303);
        assert.equal(afterPassword.location, '/account', JSON.stringify(returnTo));
      }
    });

    await t.test('a signed-in user is sent on at once, but only to Tessera', async () => {
      const b = new Browserish(server.url);
      await startPortalSignin(b, 'bob', PASSWORD);
      for (const q of ['%2F%09%2Fevil.example%2Fphish', '%2F%0D%0ASet-Cookie%3A%20x%3D1', '%2F%0A%2Fevil.example', '%2F.%2F%2Fevil.example']) {
        const res = await b.request('GET', `/signin?return_to=${q}`);
        assert.equal(res.status, 303, q);
        assert.equal(res.location, '/account', q);
      }
      const fine = await b.request('GET', `/signin?return_to=${encodeURIComponent('/account/devices')}`);
      assert.equal(fine.location, '/account/devices');
    });
  });
}
