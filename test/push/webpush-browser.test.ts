import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { enrolmentLink } from '../../src/http/routes/account/push.ts';
import { signinToPush } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';

interface Shown {
  title: string;
  body: string;
  url: string;
}

/**
 * The authenticator web app's service worker and Web Push in Chromium. Headless
 * Chromium reaches no real push service, so the message is handed to the
 * installed worker through DevTools (ServiceWorker.deliverPushMessage), as a
 * push service would deliver it after decryption.
 */
for (const engine of ENGINES) {
  test(`the authenticator's service worker shows a sign-in notification that opens the request on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startTestServer(engine, { webPush: { contact: 'mailto:security@example.com', allowPrivateOrigins: [] } });
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    await browser.context.grantPermissions(['notifications'], { origin: server.url });
    const user = await createUserWithPassword(server.ctx, 'nora', PASSWORD);
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const registrations: Array<{ registrationId: string; scopeURL: string }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');

    const { token } = await issuePushEnrolment(server.ctx.store, user.id, { actor: 'test' });
    await page.goto(enrolmentLink(server.url, token));
    await page.fill('#device-label', 'Nora test phone');
    await page.click('#enrol-form button');
    await page.waitForSelector('text=Ready: Nora test phone');
    await page.waitForSelector('#notify-on:visible');
    assert.match((await page.textContent('#notify-text')) ?? '', /Get a notification when a sign-in needs you/);
    // Headless Chromium has no push service to subscribe with: the app says it is trying, and later (20 s) that it could not.
    await page.click('#notify-on');
    await page.waitForFunction(() => !/Get a notification/.test(document.getElementById('notify-text')?.textContent ?? ''));
    assert.match((await page.textContent('#notify-text')) ?? '', /^(Turning on notifications…|Notifications are on|Could not turn notifications on)/);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const registration = registrations.find((r) => r.scopeURL === `${server.url}/authenticator`);
    assert.ok(registration, 'the service worker is registered for /authenticator');

    const s = await signinToPush(server, 'nora', PASSWORD);
    await page.waitForSelector('form.push-request');
    const request = await server.ctx.store.db.selectFrom('push_requests').select(['id', 'expires_at']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    const notice = { v: 1, type: 'signin-request', requestId: request.id, app: 'Company Mail', expiresAt: request.expires_at };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId: registration.registrationId, data: JSON.stringify(notice) });
    let shown: Shown[] = [];
    for (let i = 0; i < 50 && !shown.length; i++) {
      shown = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: (n.data as { url: string }).url }));
      });
      if (!shown.length) await page.waitForTimeout(100);
    }
    assert.equal(shown.length, 1, 'one notification is shown');
    assert.equal(shown[0]!.title, 'Sign-in request for Company Mail — open to answer');
    assert.ok(!shown[0]!.title.includes(s.number!) && !shown[0]!.body.includes(s.number!), 'no number in the notification');
    assert.equal(shown[0]!.url, `/authenticator#request=${request.id}`);

    // What a click opens: the app with that request ready for the number.
    const opened = await browser.context.newPage();
    await opened.goto(server.url + shown[0]!.url);
    await opened.waitForSelector(`form.push-request[data-request="${request.id}"]`);
    await opened.waitForFunction((id) => document.activeElement?.closest('form')?.getAttribute('data-request') === id, request.id);
    assert.equal(new URL(opened.url()).hash, '', 'the request id is taken off the address bar');
  });
}
