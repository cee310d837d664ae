import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'violet tangerine lighthouse';

/** Drives the app side with openid-client and the person's side with Chromium. */
async function authorize(page: Page, config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
    ...extra,
  });
  let callback: URL | undefined;
  await page.route('http://127.0.0.1:9/**', async (route) => {
    callback = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' });
  });
  await page.goto(url.href);
  return {
    async finish() {
      await page.waitForURL((u) => u.href.startsWith('http://127.0.0.1:9/'), { timeout: 15_000 });
      assert.ok(callback, 'the browser came back to the app');
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    },
  };
}

async function typeCredentials(page: Page, username: string, password: string) {
  await page.fill('input[autocomplete="username"]', username);
  await page.click('button[type="submit"]');
  await page.fill('input[autocomplete="current-password"]', password);
  await page.click('button:has-text("Sign in")');
}

for (const engine of ENGINES) {
  test(`sign-in through an app with openid-client and Chromium on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine);
    const browser: TestBrowser = await launchBrowser();
    // The browser goes first: its keep-alive connections would hold the server's close open.
    t.after(async () => {
      await browser.close();
      await server.close();
    });

    const { clientSecret } = await createClient(
      server.ctx.store,
      { clientId: 'mail-app', name: 'Mail', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] },
      { actor: 'test' },
    );
    const config = await oidc.discovery(new URL(server.url), 'mail-app', clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    await createUserWithPassword(server.ctx, 'alice', PASSWORD, ['global_admin']);
    let secret = '';

    await t.test('an admin without a second factor registers one before finishing; tokens carry amr and acr', async () => {
      const page = await browser.context.newPage();
      const flow = await authorize(page, config);
      await typeCredentials(page, 'alice', PASSWORD);
      await page.waitForSelector('#totp-secret');
      secret = (await page.textContent('#totp-secret'))!.trim();
      await page.fill('input[autocomplete="one-time-code"]', totpCode(secret));
      await page.click('button:has-text("Verify and continue")');
      const tokens = await flow.finish();
      const claims = tokens.claims()!;
      assert.equal(claims.acr, 'urn:tessera:acr:mfa');
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');

      await t.test('refresh tokens rotate, and reusing an old one revokes the chain', async () => {
        const first = tokens.refresh_token!;
        const rotated = await oidc.refreshTokenGrant(config, first);
        assert.ok(rotated.refresh_token && rotated.refresh_token !== first, 'a new refresh token is issued');
        await assert.rejects(oidc.refreshTokenGrant(config, first), /invalid_grant/);
        await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token!), /invalid_grant/, 'the whole chain is revoked');
      });
      await page.close();
    });

    await t.test('a later sign-in asks for the code; a replayed code is refused', async () => {
      const page = await browser.context.newPage();
      await page.context().clearCookies();
      const flow = await authorize(page, config);
      await typeCredentials(page, 'alice', PASSWORD);
      const code = totpCode(secret, 1);
      await page.fill('input[autocomplete="one-time-code"]', code);
      await page.click('button:has-text("Verify")');
      const tokens = await flow.finish();
      assert.deepEqual([...(tokens.claims()!.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);

      await page.context().clearCookies();
      await authorize(page, config);
      await typeCredentials(page, 'alice', PASSWORD);
      await page.fill('input[autocomplete="one-time-code"]', code);
      await page.click('button:has-text("Verify")');
      await page.waitForSelector('[role="alert"]');
      assert.match((await page.textContent('[role="alert"]'))!, /already used/);
      await page.close();
    });

    await t.test('a wrong password and an unknown user get the same answer', async () => {
      const page = await browser.context.newPage();
      await page.context().clearCookies();
      await authorize(page, config);
      await typeCredentials(page, 'alice', 'not the right password');
      const wrong = await page.textContent('[role="alert"]');
      await page.context().clearCookies();
      await authorize(page, config);
      await typeCredentials(page, 'nobody-here', 'not the right password');
      const unknown = await page.textContent('[role="alert"]');
      assert.equal(wrong, unknown);
      assert.match(wrong!, /Incorrect username or password/);
      const log = await server.ctx.store.db.selectFrom('signin_log').select(['reason', 'result']).where('result', '=', 'failure').execute();
      assert.deepEqual(log.map((r) => r.reason).sort().slice(0, 2), ['bad_password', 'unknown_user']);
      await page.close();
    });
  });
}
