import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { EngineName } from '../support/engines.ts';
import { ensureConsoleClient } from '../../src/http/routes/console/client.ts';
import { typeUsernameAndPassword, withoutAutofill, addAuthenticator, type VirtualAuthenticator } from '../webauthn/support.ts';

export const PASSWORD = 'violet tangerine lighthouse';

/** A server as `tessera serve` starts it: the console registered with its default policy. */
export async function startConsoleServer(engine: EngineName): Promise<TestServer> {
  // WebAuthn needs a host name, not an IP address, as its relying party id.
  const server = await startTestServer(engine, { issuer: 'http://localhost:0' });
  await ensureConsoleClient(server.ctx);
  return server;
}

/**
 * Signs a person in to the console through the ordinary sign-in pages: the
 * password, then the security key (the console's default policy asks for
 * phishing-resistant MFA; a first-time admin registers a key on the way).
 */
export async function consoleSignin(page: Page, server: TestServer, username: string, options: { firstKey?: boolean } = {}): Promise<void> {
  await page.goto(`${server.url}/admin`);
  await typeUsernameAndPassword(page, username, PASSWORD);
  if (options.firstKey) {
    await page.waitForSelector('text=Set up a security key or passkey');
    await page.click('button:has-text("Use a security key")');
  } else {
    await page.waitForSelector('button:has-text("Use security key or passkey")');
    await page.click('button:has-text("Use security key or passkey")');
  }
  await page.waitForURL((u) => u.pathname.startsWith('/admin') && !u.pathname.startsWith('/admin/callback'), { timeout: 15_000 });
  await page.waitForSelector('nav[aria-label="Console"]');
}

/** A page with its own virtual security key and no passkey autofill. */
export async function pageWithKey(context: import('playwright-core').BrowserContext): Promise<{ page: Page; key: VirtualAuthenticator }> {
  const page = await context.newPage();
  await withoutAutofill(page);
  const key = await addAuthenticator(page, 'usb');
  return { page, key };
}
