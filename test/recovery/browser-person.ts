import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestBrowser } from '../support/browser.ts';
import { totpCode } from '../support/fixtures.ts';
import { addAuthenticator, typeUsernameAndPassword, withoutAutofill, type VirtualAuthenticator } from '../webauthn/support.ts';

/**
 * The person's side of a helpdesk runbook, in Chromium: each of their
 * devices is a page of its own, holding a virtual authenticator (a security
 * key on USB, or a phone's or laptop's passkeys) and, for an authenticator
 * app, the secret it was set up with. Losing a device is closing its page.
 */
export type KeyKind = 'security_key' | 'passkey';

export interface PersonDevice {
  page: Page;
  key: VirtualAuthenticator | null;
  /** The authenticator app's secret on this device, once one is set up here. */
  totpSecret: string | null;
}

export class Person {
  /** How many codes each app has given: each time-step is accepted once, so the next code comes from a step not used yet. */
  private codesGiven = new Map<string, number>();
  readonly browser: TestBrowser;
  readonly base: string;
  readonly username: string;
  private readonly secret: string;

  constructor(browser: TestBrowser, base: string, username: string, password: string) {
    this.browser = browser;
    this.base = base;
    this.username = username;
    this.secret = password;
  }

  async device(key?: KeyKind): Promise<PersonDevice> {
    const page = await this.browser.context.newPage();
    // The identify page offers passkeys to the browser's autofill: a passkey on the device would
    // answer by itself before the test chose how to sign in.
    await withoutAutofill(page);
    const authenticator = key ? await addAuthenticator(page, key === 'passkey' ? 'internal' : 'usb') : null;
    return { page, key: authenticator, totpSecret: null };
  }

  /** The session cookies are the browser's, shared by its pages: each sign-in starts from none. */
  async signedOut(): Promise<void> {
    await this.browser.context.clearCookies();
  }

  private async toSignin(d: PersonDevice): Promise<void> {
    await this.signedOut();
    await d.page.goto(`${this.base}/account`);
    await d.page.waitForSelector('#username');
  }

  /** Username and password, then the second-factor page the sign-in shows (not yet answered). */
  async typePassword(d: PersonDevice): Promise<void> {
    await this.toSignin(d);
    await typeUsernameAndPassword(d.page, this.username, this.secret);
    await d.page.waitForLoadState('domcontentloaded');
  }

  private nextCode(secret: string): string {
    const n = this.codesGiven.get(secret) ?? 0;
    this.codesGiven.set(secret, n + 1);
    // The server accepts the step before and after the current one too.
    return totpCode(secret, [0, 1, -1][n % 3]!);
  }

  /** A normal sign-in: password, then the device's key or its authenticator app. */
  async signInNormally(d: PersonDevice, method: 'key' | 'totp'): Promise<void> {
    await this.typePassword(d);
    if (method === 'key') {
      await d.page.click('button:has-text("Use security key or passkey")');
    } else {
      assert.ok(d.totpSecret, 'this device has an authenticator app');
      await d.page.fill('input[autocomplete="one-time-code"]', this.nextCode(d.totpSecret));
      await d.page.click('button:has-text("Verify")');
    }
    await d.page.waitForURL(`${this.base}/account`);
  }

  /** The sign-in asks for a second factor after the password and cannot be finished without it. */
  async passwordAloneIsNotEnough(d: PersonDevice): Promise<void> {
    await this.typePassword(d);
    assert.match(new URL(d.page.url()).pathname, /^\/signin\//, 'still on the sign-in pages after the password');
    const body = (await d.page.textContent('main')) ?? '';
    assert.match(body, /security key or passkey|authenticator app|code/i, `a second factor is asked: ${body.slice(0, 200)}`);
    assert.equal((await d.page.request.get(`${this.base}/api/me`)).status(), 401, 'no session after the password alone');
  }

  /** Username, "Use a Temporary Access Pass", the pass; then the registration the sign-in leads to, done with `register`. */
  async signInWithPass(d: PersonDevice, pass: string, register: KeyKind | 'totp'): Promise<void> {
    await this.toSignin(d);
    await d.page.fill('#username', this.username);
    await d.page.click('button:has-text("Next")');
    await d.page.click('button:has-text("Use a Temporary Access Pass")');
    await d.page.fill('input[autocomplete="one-time-code"]', pass);
    await d.page.click('button:has-text("Sign in")');
    await d.page.waitForLoadState('domcontentloaded');
    if (register === 'totp') {
      await d.page.waitForSelector('text=Set up your authenticator app');
      d.totpSecret = ((await d.page.textContent('#totp-secret')) ?? '').trim();
      await d.page.fill('input[autocomplete="one-time-code"]', this.nextCode(d.totpSecret));
      await d.page.click('button:has-text("Verify and continue")');
    } else {
      await d.page.waitForSelector('text=Set up a security key or passkey');
      assert.equal(await d.page.locator('#totp-secret').count(), 0, 'no authenticator app is offered where a key is needed');
      await d.page.click(register === 'passkey' ? 'button:has-text("Create a passkey")' : 'button:has-text("Use a security key")');
    }
    await d.page.waitForURL(`${this.base}/account`);
  }

  /** The first sign-in of someone who must use a key and has none: it asks for one after the password. */
  async firstSignInRegisteringKey(d: PersonDevice, kind: KeyKind): Promise<void> {
    await this.typePassword(d);
    await d.page.waitForSelector('text=Set up a security key or passkey');
    await d.page.click(kind === 'passkey' ? 'button:has-text("Create a passkey")' : 'button:has-text("Use a security key")');
    await d.page.waitForURL(`${this.base}/account`);
  }

  /** On the self-service pages, signed in: another key (the security page) or an authenticator app. */
  async addOnSecurityPage(d: PersonDevice, method: KeyKind | 'totp', name: string): Promise<void> {
    if (method === 'totp') {
      await d.page.goto(`${this.base}/account/totp/new`);
      d.totpSecret = ((await d.page.textContent('#totp-secret')) ?? '').trim();
      await d.page.fill('#label', name);
      await d.page.fill('#code', this.nextCode(d.totpSecret));
      await d.page.click('button:has-text("Verify and add")');
      await d.page.waitForURL(/notice=totp_added/);
      return;
    }
    await d.page.goto(`${this.base}/account/webauthn`);
    await d.page.fill('#new-name', name);
    await d.page.click(method === 'passkey' ? 'button:has-text("Create a passkey")' : 'button:has-text("Add a security key")');
    await d.page.waitForURL(/notice=added/);
  }

  /** The old key, still at hand, after the helpdesk removed it: the sign-in refuses it. */
  async keyIsRefused(d: PersonDevice): Promise<void> {
    await this.typePassword(d);
    const offered = await d.page.locator('button:has-text("Use security key or passkey")').count();
    if (offered) {
      await d.page.click('button:has-text("Use security key or passkey")');
      await d.page.waitForSelector('#form-error, [role="alert"]:not([hidden])');
    }
    assert.match(new URL(d.page.url()).pathname, /^\/signin\//, 'the old key does not finish the sign-in');
    assert.equal((await d.page.request.get(`${this.base}/api/me`)).status(), 401);
  }

  /** The old app, still at hand, after the helpdesk removed it: its code does not finish the sign-in. */
  async totpIsRefused(d: PersonDevice): Promise<void> {
    assert.ok(d.totpSecret);
    await this.typePassword(d);
    const field = d.page.locator('input[autocomplete="one-time-code"]');
    if (await field.count()) {
      await field.fill(this.nextCode(d.totpSecret));
      await d.page.click('button:has-text("Verify")');
      await d.page.waitForLoadState('domcontentloaded');
    }
    assert.match(new URL(d.page.url()).pathname, /^\/signin\//, 'the old app does not finish the sign-in');
    assert.equal((await d.page.request.get(`${this.base}/api/me`)).status(), 401);
  }
}
