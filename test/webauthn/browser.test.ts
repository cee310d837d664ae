import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { Secret } from 'otpauth';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { clearKeySuspension } from '../../src/directory/user-methods.ts';
import { addAuthenticator, authorize, startApp, typeUsernameAndPassword, withoutAutofill } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';

/**
 * Security keys and passkeys end to end: Chromium with a virtual authenticator
 * (DevTools protocol) as the person's side, openid-client as the app, a real
 * server on each engine. The issuer is http://localhost (browsers refuse an IP
 * address as the WebAuthn relying party id).
 */
for (const engine of ENGINES) {
  test(`security keys and passkeys in Chromium on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine, { issuer: 'http://localhost:0' });
    const browser: TestBrowser = await launchBrowser();
    const app = await startApp();
    t.after(async () => {
      await browser.close();
      await server.close();
      await app.close();
    });
    const db = server.ctx.store.db;
    const { clientSecret } = await createClient(
      server.ctx.store,
      { clientId: 'mail-app', name: 'Mail', redirectUris: [app.redirect], grantTypes: ['authorization_code'] },
      { actor: 'test' },
    );
    const config = await oidc.discovery(new URL(server.url), 'mail-app', clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });

    const lastLog = async (userId: string) =>
      db.selectFrom('signin_log').selectAll().where('user_id', '=', userId).orderBy('at', 'desc').orderBy('id').limit(1).executeTakeFirstOrThrow();

    /** Portal sign-in with username and password, landing on the security page. */
    async function portalSignin(page: Page, username: string) {
      await page.goto(`${server.url}/account`);
      await typeUsernameAndPassword(page, username, PASSWORD);
      await page.waitForURL(`${server.url}/account`);
    }

    async function addKey(page: Page, kind: 'passkey' | 'security_key', name: string) {
      await page.goto(`${server.url}/account/webauthn`);
      await page.fill('#new-name', name);
      await page.click(kind === 'passkey' ? 'button:has-text("Create a passkey")' : 'button:has-text("Add a security key")');
      await page.waitForURL(/notice=added/);
    }

    async function signOut(page: Page) {
      await page.goto(`${server.url}/account`);
      await page.click('button:has-text("Sign out")');
      await page.waitForSelector('text=You are signed out');
    }

    let erinResponse = '';
    const erin = await createUserWithPassword(server.ctx, 'erin', PASSWORD);
    const erinPage = await browser.context.newPage();
    await withoutAutofill(erinPage);
    const erinKey = await addAuthenticator(erinPage, 'usb');

    await t.test('a security key added on the security page is then the second factor', async () => {
      await portalSignin(erinPage, 'erin');
      await addKey(erinPage, 'security_key', 'Blue key');
      const rows = await db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', erin.id).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.name, 'Blue key');
      assert.equal(rows[0]!.kind, 'security_key');
      assert.deepEqual(JSON.parse(rows[0]!.transports), ['usb']);
      assert.equal(rows[0]!.backup_eligible, 0, 'a hardware key is device-bound');
      assert.match(await erinPage.textContent('[data-credential]') ?? '', /Blue key[\s\S]*bound to one device/);
      const audit = await db.selectFrom('audit_log').select('action').where('target', '=', `user:${erin.id}`).execute();
      assert.ok(audit.some((a) => a.action === 'method.webauthn.add'));

      await signOut(erinPage);
      await erinPage.route('**/signin/*/webauthn', async (route) => {
        erinResponse = new URLSearchParams(route.request().postData() ?? '').get('response') ?? '';
        await route.continue();
      });
      await erinPage.goto(`${server.url}/account`);
      await typeUsernameAndPassword(erinPage, 'erin', PASSWORD);
      await erinPage.click('button:has-text("Use security key or passkey")');
      await erinPage.waitForURL(`${server.url}/account`);
      await erinPage.unroute('**/signin/*/webauthn');
      const log = await lastLog(erin.id);
      assert.equal(log.result, 'success');
      assert.deepEqual(JSON.parse(log.methods_used), ['password', 'webauthn']);
      assert.equal(log.strength, 'phishing_resistant_mfa');
      const session = await db.selectFrom('idp_sessions').selectAll().where('user_id', '=', erin.id).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(session.acr, 'urn:tessera:acr:phishing-resistant');
      assert.equal(session.strength, 'phishing_resistant_mfa');
      assert.ok(erinResponse.length > 0, 'the assertion was captured');
    });

    await t.test('self-service: the key is renamed on the page and listed by /api/me/webauthn', async () => {
      await erinPage.goto(`${server.url}/account/webauthn`);
      await erinPage.fill('[data-credential] input[name="name"]', 'Blue key (desk)');
      await erinPage.click('[data-credential] button:has-text("Rename")');
      await erinPage.waitForURL(/notice=renamed/);
      const api = await erinPage.request.get(`${server.url}/api/me/webauthn`);
      const { credentials } = (await api.json()) as { credentials: Array<{ name: string; storage: string; kind: string; signCount: number }> };
      assert.deepEqual(credentials.map((c) => [c.name, c.kind, c.storage]), [['Blue key (desk)', 'security_key', 'device-bound']]);
      const audit = await db.selectFrom('audit_log').select('action').where('target', '=', `user:${erin.id}`).execute();
      assert.ok(audit.some((a) => a.action === 'method.webauthn.rename'));
    });

    await t.test('a replayed assertion is refused', async () => {
      await signOut(erinPage);
      await erinPage.goto(`${server.url}/account`);
      await typeUsernameAndPassword(erinPage, 'erin', PASSWORD);
      await erinPage.waitForSelector('button:has-text("Use security key or passkey")');
      await erinPage.evaluate((response) => {
        const form = document.querySelector<HTMLFormElement>('form[data-webauthn]')!;
        form.querySelector<HTMLInputElement>('input[name="response"]')!.value = response;
        form.submit();
      }, erinResponse);
      await erinPage.waitForSelector('#form-error');
      assert.match(await erinPage.textContent('#form-error') ?? '', /could not be verified/);
      const log = await lastLog(erin.id);
      assert.equal(log.result, 'failure');
      assert.equal(log.reason, 'webauthn_invalid');
    });

    await t.test('a cloned key (its signature counter went backwards) is refused, audited, logged, alerted on and suspended until the helpdesk clears it', async () => {
      const before = await erinKey.credentials();
      assert.equal(before.length, 1);
      await db.updateTable('webauthn_credentials').set({ sign_count: before[0]!.signCount + 1000 }).where('user_id', '=', erin.id).execute();
      await erinPage.goto(erinPage.url().replace(/\/webauthn$/, '')); // the sign-in page again, without the last error
      await erinPage.click('button:has-text("Use security key or passkey")');
      await erinPage.waitForSelector('#form-error');
      assert.match(await erinPage.textContent('#form-error') ?? '', /may have been copied/);
      const log = await lastLog(erin.id);
      assert.deepEqual([log.result, log.reason], ['failure', 'webauthn_clone_detected']);
      const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', `user:${erin.id}`).where('action', '=', 'method.webauthn.clone_detected').execute();
      assert.deepEqual(audit.map((a) => ({ ...a })), [{ action: 'method.webauthn.clone_detected', actor: 'system' }]);
      const stored = await db.selectFrom('webauthn_credentials').select('sign_count').where('user_id', '=', erin.id).executeTakeFirstOrThrow();
      assert.equal(Number(stored.sign_count), before[0]!.signCount + 1000, 'the counter is left as it was');
      const alerts = await db.selectFrom('alerts').select(['severity', 'kind']).where('user_id', '=', erin.id).execute();
      assert.deepEqual(alerts.map((a) => [a.severity, a.kind]), [['high', 'webauthn.clone_detected']]);
      const key = await db.selectFrom('webauthn_credentials').select(['id', 'suspended_at']).where('user_id', '=', erin.id).executeTakeFirstOrThrow();
      assert.ok(key.suspended_at, 'the credential is suspended');

      // The same key right after, with a counter that goes up again: still refused, until the helpdesk clears it.
      await db.updateTable('webauthn_credentials').set({ sign_count: before[0]!.signCount }).where('user_id', '=', erin.id).execute();
      await erinPage.goto(erinPage.url().replace(/\/webauthn$/, ''));
      await erinPage.click('button:has-text("Use security key or passkey")');
      await erinPage.waitForSelector('#form-error');
      assert.match(await erinPage.textContent('#form-error') ?? '', /suspended/);
      assert.deepEqual([(await lastLog(erin.id)).reason], ['webauthn_suspended']);
      await clearKeySuspension(server.ctx.store, 'erin', key.id, { actor: 'test:helpdesk' });
      await erinPage.goto(erinPage.url().replace(/\/webauthn$/, ''));
      await erinPage.click('button:has-text("Use security key or passkey")');
      await erinPage.waitForURL(`${server.url}/account`);
      assert.equal((await lastLog(erin.id)).result, 'success');
      await erinPage.close();
    });

    const frank = await createUserWithPassword(server.ctx, 'frank', PASSWORD);
    const frankPage = await browser.context.newPage();
    await withoutAutofill(frankPage);
    const frankKey = await addAuthenticator(frankPage, 'internal');

    await t.test('a passkey signs in without a username or password typed', async () => {
      await browser.context.clearCookies();
      await portalSignin(frankPage, 'frank');
      await addKey(frankPage, 'passkey', 'Laptop');
      const [cred] = await frankKey.credentials();
      assert.ok(cred?.isResidentCredential, 'a discoverable credential');
      await signOut(frankPage);
      await frankPage.goto(`${server.url}/account`);
      assert.equal(await frankPage.getAttribute('#username', 'autocomplete'), 'username webauthn', 'passkeys are offered in the autofill');
      await frankPage.click('button:has-text("Sign in with a passkey")');
      await frankPage.waitForURL(`${server.url}/account`);
      const log = await lastLog(frank.id);
      assert.deepEqual(JSON.parse(log.methods_used), ['webauthn']);
      assert.deepEqual(JSON.parse(log.methods_tried), ['webauthn'], 'no password was tried');
      assert.equal(log.strength, 'phishing_resistant_mfa');
      const session = await db.selectFrom('idp_sessions').selectAll().where('user_id', '=', frank.id).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(session.amr), ['hwk', 'mfa', 'pop', 'user']);
      assert.ok(session.mfa_at, 'a user-verified passkey is MFA: changes on the security page are allowed');
    });

    await t.test('a forgotten password is reset with the passkey alone (user-verified), then the new one signs in', async () => {
      await browser.context.clearCookies();
      await frankPage.goto(`${server.url}/account`);
      await frankPage.fill('#username', 'frank');
      await frankPage.click('button:has-text("Next")');
      await frankPage.click('button:has-text("Forgot your password?")');
      await frankPage.click('button:has-text("Use a passkey")');
      await frankPage.waitForSelector('text=Choose a new password');
      await frankPage.fill('#next', 'quiet harbour under copper skies');
      await frankPage.fill('#confirm', 'quiet harbour under copper skies');
      await frankPage.click('button:has-text("Set the new password")');
      await frankPage.waitForSelector('text=Your password is changed');
      // The notices of the change (notify.sent) are delivered in the background and may come first or later.
      const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', `user:${frank.id}`)
        .where('action', 'not like', 'notify.%').orderBy('seq', 'desc').limit(2).execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['method.password.changed', 'session.revoke_all']);
      assert.ok(audit.every((a) => a.actor === `user:${frank.id}`));
      await frankPage.click('button:has-text("Sign in")');
      await typeUsernameAndPassword(frankPage, 'frank', 'quiet harbour under copper skies');
      // The new password is accepted; the second factor is still the passkey.
      await frankPage.click('button:has-text("Use security key or passkey")');
      await frankPage.waitForURL(`${server.url}/account`);
      assert.deepEqual(JSON.parse((await lastLog(frank.id)).methods_used), ['password', 'webauthn']);
    });

    await t.test('the browser offers the passkey in the username field (conditional mediation)', async () => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      const key = await addAuthenticator(page, 'internal');
      const [cred] = await frankKey.credentials();
      // The same passkey, now in this page's authenticator (as a synced passkey would be).
      const { credentials } = await frankKey.cdp.send('WebAuthn.getCredentials', { authenticatorId: frankKey.id });
      await key.cdp.send('WebAuthn.addCredential', { authenticatorId: key.id, credential: { ...credentials[0]!, signCount: cred!.signCount + 1 } });
      // Nothing is typed or clicked: the page offers the passkey to the username field's autofill at once, and
      // the virtual authenticator picks it by itself, as a person would from the autofill list.
      await page.goto(`${server.url}/account`);
      await page.waitForURL(`${server.url}/account`);
      assert.match(await page.textContent('main') ?? '', /Signed in as/);
      const log = await lastLog(frank.id);
      assert.deepEqual([log.result, JSON.parse(log.methods_used)], ['success', ['webauthn']]);
      await page.close();
      await frankPage.close();
    });

    await t.test('an admin without a security key registers a passkey inside the sign-in to an app', async () => {
      await browser.context.clearCookies();
      await createUserWithPassword(server.ctx, 'grace', PASSWORD, ['global_admin']);
      const page = await browser.context.newPage();
      await withoutAutofill(page);
      await addAuthenticator(page, 'internal');
      const flow = await authorize(page, config, app);
      await typeUsernameAndPassword(page, 'grace', PASSWORD);
      await page.waitForSelector('text=Set up a security key or passkey');
      assert.equal(await page.locator('input[autocomplete="one-time-code"]').count(), 0, 'no authenticator app is offered');
      await page.click('button:has-text("Create a passkey")');
      const tokens = await flow.finish();
      const claims = tokens.claims()!;
      assert.equal(claims.acr, 'urn:tessera:acr:phishing-resistant');
      assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'pop', 'pwd', 'user']);
      // The admin's only key cannot be removed while admins must use one.
      await page.goto(`${server.url}/account/webauthn`);
      await page.click('[data-credential] button:has-text("Remove")');
      await page.waitForSelector('[role="alert"]:not([hidden])');
      assert.match(await page.textContent('[role="alert"]:not([hidden])') ?? '', /last security key or passkey/);
      assert.equal(await page.locator('[data-credential]').count(), 1);
      await page.close();
    });

    await t.test('step-up from MFA to phishing-resistant MFA through acr_values asks only for the key', async () => {
      await browser.context.clearCookies();
      const henry = await createUserWithPassword(server.ctx, 'henry', PASSWORD);
      const page = await browser.context.newPage();
      await withoutAutofill(page);
      await addAuthenticator(page, 'usb');
      await portalSignin(page, 'henry');
      await addKey(page, 'security_key', 'Desk key');
      const secret = new Secret({ size: 20 }).base32;
      await importTotp(server.ctx, henry.id, { secretBase32: secret, actor: 'test' });
      await signOut(page);

      const first = await authorize(page, config, app);
      await typeUsernameAndPassword(page, 'henry', PASSWORD);
      await page.waitForSelector('button:has-text("Use security key or passkey")');
      await page.click('button:has-text("Use another method")');
      await page.click('button:has-text("Code from an authenticator app")');
      await page.fill('input[autocomplete="one-time-code"]', totpCode(secret));
      await page.click('button:has-text("Verify")');
      const mfa = await first.finish();
      assert.equal(mfa.claims()!.acr, 'urn:tessera:acr:mfa');

      // No prompt: the provider's own session and grant exist, so only acr_values can bring the pages back.
      const second = await authorize(page, config, app, { acr_values: 'urn:tessera:acr:phishing-resistant', prompt: '' });
      await page.waitForSelector('button:has-text("Use security key or passkey")');
      assert.equal(await page.locator('input[type="password"]').count(), 0, 'the password is not asked again');
      await page.click('button:has-text("Use security key or passkey")');
      const stepped = await second.finish();
      assert.equal(stepped.claims()!.acr, 'urn:tessera:acr:phishing-resistant');
      assert.equal(stepped.claims()!.sub, mfa.claims()!.sub);
      const log = await lastLog(henry.id);
      assert.deepEqual([log.reason, log.strength], ['step_up', 'phishing_resistant_mfa']);
      await page.close();
    });
  });
}
