import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { CDPSession, Page } from 'playwright-core';

/**
 * A virtual WebAuthn authenticator in Chromium (DevTools protocol): a security
 * key on USB, or the platform's passkey provider ("internal"). It answers by
 * itself (user present and verified) and lives as long as the page.
 */
export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  credentials(): Promise<Array<{ credentialId: string; isResidentCredential: boolean; signCount: number; userHandle?: string }>>;
}

export async function addAuthenticator(page: Page, transport: 'usb' | 'internal'): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport, hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id: authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
  };
}

/** Keeps the browser's passkey autofill from answering at once (to press the button instead). */
export async function withoutAutofill(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (PublicKeyCredential as unknown as { isConditionalMediationAvailable: () => Promise<boolean> }).isConditionalMediationAvailable = async () => false;
  });
}

/** The app's side of the redirect: a real listener that remembers where the browser came back to. */
export async function startApp(): Promise<{ url: string; redirect: string; callbacks: URL[]; close(): Promise<void> }> {
  const callbacks: URL[] = [];
  const server = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', url));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, redirect: `${url}/callback`, callbacks, close: () => new Promise((r) => server.close(() => r())) };
}

/** Starts an authorization request in the page; finish() returns the tokens once the browser is back at the app. */
export async function authorize(
  page: Page,
  config: oidc.Configuration,
  app: Awaited<ReturnType<typeof startApp>>,
  extra: Record<string, string> = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params: Record<string, string> = {
    redirect_uri: app.redirect,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
    ...extra,
  };
  // prompt: '' sends no prompt at all, as an app that relies on the existing session would.
  if (params.prompt === '') delete params.prompt;
  const url = oidc.buildAuthorizationUrl(config, params);
  await page.goto(url.href);
  return {
    async finish() {
      await page.waitForURL((u) => u.href.startsWith(`${app.url}/`), { timeout: 15_000 });
      const callback = app.callbacks.findLast((c) => c.searchParams.get('state') === state);
      assert.ok(callback, 'the browser came back to the app');
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    },
  };
}

export async function typeUsernameAndPassword(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#username', username);
  await page.click('button:has-text("Next")');
  await page.fill('input[autocomplete="current-password"]', password);
  await page.click('button:has-text("Sign in")');
}
