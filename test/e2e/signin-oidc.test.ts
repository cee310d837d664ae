import { test } from 'node:test';
import { startCallbackServer } from '../support/relying-party.ts';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';

const rp = await startCallbackServer();
const { callbacks } = rp;
const APP = rp.origin;
const REDIRECT = rp.redirectUri;
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
  await page.goto(url.href);
  return {
    async finish() {
      await page.waitForURL((u) => u.href.startsWith(`${APP}/`), { timeout: 15_000 });
      const callback = callbacks.findLast((c) => c.searchParams.get('state') === state);
      assert.ok(callback, 'the browser came back to the app');
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    },
  };
}

const invalidGrant = (err: unknown) => (err as { error?: string }).error === 'invalid_grant';

async function typeCredentials(page: Page, username: string, password: string) {
  await page.fill('#username', username);
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
    // Not an admin: admins must use a security key or passkey (test/webauthn covers that path).
    // The app asks for MFA with acr_values, so alice, who has no second factor yet, registers one.
    await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    let secret = '';
    let refreshToken = '';

    await t.test('a user the app requires MFA of registers a second factor before finishing; tokens carry amr and acr', async () => {
      const page = await browser.context.newPage();
      const flow = await authorize(page, config, { acr_values: 'urn:tessera:acr:mfa' });
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
      refreshToken = tokens.refresh_token!;

      // A second app request in the same browser reuses the Tessera session: no sign-in page.
      const again = await authorize(page, config);
      const second = await again.finish();
      assert.equal(second.claims()!.sub, claims.sub);

      // After signing out of Tessera, the provider's own session no longer hands out codes.
      await page.goto(`${server.url}/account`);
      await page.click('button:has-text("Sign out")');
      await page.waitForSelector('text=You are signed out');
      await authorize(page, config);
      await page.waitForSelector('#username');
      await page.close();
    });

    await t.test('refresh tokens rotate, and reusing an old one revokes the chain', async () => {
      const first = refreshToken;
      const rotated = await oidc.refreshTokenGrant(config, first);
      assert.ok(rotated.refresh_token && rotated.refresh_token !== first, 'a new refresh token is issued');
      await assert.rejects(oidc.refreshTokenGrant(config, first), invalidGrant);
      await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token!), invalidGrant, 'the whole chain is revoked');
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
      const log = await server.ctx.store.db
        .selectFrom('signin_log')
        .select('reason')
        .where('result', '=', 'failure')
        .where('reason', 'in', ['bad_password', 'unknown_user'])
        .execute();
      assert.deepEqual(log.map((r) => r.reason).sort(), ['bad_password', 'unknown_user'], 'the log keeps the difference the person is not shown');
      await page.close();
    });
  });
}
