import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { codeFlow, startOidcServer } from '../oidc/support.ts';

const refreshed = (config: oidc.Configuration, token: string) => oidc.refreshTokenGrant(config, token).catch((err: { error?: string; error_description?: string }) => {
  throw new Error(`refresh refused: ${err.error} ${err.error_description}`);
});

/**
 * The machine's clock stepped by five minutes, forward and back (an NTP
 * correction), while people are signed in: sessions and tokens keep their
 * lifetimes (neither cut short nor stretched), refresh goes on rotating, and
 * no authenticator code is ever accepted twice — after a step back, a code of
 * a time step already used stays refused. The server and the apps share the
 * test's clock, which only the test moves.
 */
const REDIRECT = 'http://127.0.0.1:9/cb';
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const insecure = { execute: [oidc.allowInsecureRequests] };
const MIN = 60_000;

for (const engine of ENGINES) {
  test(`a clock stepped by ±5 minutes on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const start = Date.now();
    t.mock.timers.enable({ apis: ['Date'], now: start });
    const app = await createClient(ctx.store, { clientId: 'mail', name: 'Mail', redirectUris: [REDIRECT] }, { actor: 'test' });
    const config = await oidc.discovery(new URL(server.url), 'mail', app.clientSecret, undefined, insecure);
    const alice = await createUserWithPassword(ctx, 'alice', PASSWORD);
    await importTotp(ctx, alice.id, { secretBase32: SEED, actor: 'test' });
    const browser = new Browserish(server.url);
    const signedIn = async (b: Browserish) => /Signed in as <strong>alice<\/strong>/.test((await b.request('GET', '/account')).body);
    const tryCode = async (code: string) => {
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'alice', PASSWORD);
      const r = await b.request('POST', `${path}/totp`, { csrf, code });
      assert.ok(r.status < 500, `status ${r.status}`);
      return r.status === 303 && r.location === '/account';
    };

    const firstCode = totpCode(SEED);
    const { path, csrf } = await startPortalSignin(browser, 'alice', PASSWORD);
    assert.equal((await browser.request('POST', `${path}/totp`, { csrf, code: firstCode })).location, '/account');
    // An app's tokens for bob, who has only a password (the test login stands in for his sign-in).
    const bob = await createUserWithPassword(ctx, 'bob', PASSWORD);
    const { tokens } = await codeFlow(config, REDIRECT, bob.id, { scope: 'openid offline_access', prompt: 'consent' });
    let refreshToken = tokens.refresh_token!;

    await t.test('five minutes forward: the session, the access token and refresh carry on; the used code stays used', async () => {
      t.mock.timers.setTime(start + 5 * MIN);
      assert.ok(await signedIn(browser));
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true, 'a 10-minute token is still valid after 5');
      const next = await refreshed(config, refreshToken);
      refreshToken = next.refresh_token!;
      assert.equal(await tryCode(firstCode), false, 'the first code is long out of its window and used');
      assert.equal(await tryCode(totpCode(SEED)), true, 'a code of the new time is accepted');
    });

    await t.test('ten minutes back (five before the start): nothing is cut short, and no code is accepted twice', async () => {
      const usedAhead = totpCode(SEED);
      t.mock.timers.setTime(start - 5 * MIN);
      assert.ok(await signedIn(browser), 'a session does not end because the clock went back');
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
      const next = await refreshed(config, refreshToken);
      refreshToken = next.refresh_token!;
      assert.equal(await tryCode(totpCode(SEED)), false, 'a code of a time step before the last one used is refused');
      t.mock.timers.setTime(start + 5 * MIN);
      assert.equal(await tryCode(usedAhead), false, 'the code used five minutes ahead is still used when that time comes again');
    });

    await t.test('lifetimes still end: the access token after its 10 minutes, the session after its absolute limit', async () => {
      t.mock.timers.setTime(start + 11 * MIN);
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
      t.mock.timers.setTime(start + ctx.config.session.absoluteSeconds * 1000 + MIN);
      assert.equal(await signedIn(browser), false);
    });
  });
}
