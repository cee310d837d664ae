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

/** The installable authenticator in Chromium: enrols by link with a non-extractable key, then approves a sign-in with the number. */
for (const engine of ENGINES) {
  test(`the authenticator web app approves a push sign-in on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startTestServer(engine);
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    const user = await createUserWithPassword(server.ctx, 'pia', PASSWORD);
    const manifest = await fetch(`${server.url}/authenticator/manifest.webmanifest`);
    assert.equal(manifest.status, 200);
    assert.equal(((await manifest.json()) as { display: string }).display, 'standalone');

    const page = await browser.context.newPage();
    const { token } = await issuePushEnrolment(server.ctx.store, user.id, { actor: 'test' });
    await page.goto(enrolmentLink(server.url, token));
    await page.fill('#device-label', 'Pia test phone');
    await page.click('#enrol-form button');
    await page.waitForSelector('text=Ready: Pia test phone');
    assert.equal(new URL(page.url()).hash, '', 'the token is taken off the address bar');
    const cred = await server.ctx.store.db.selectFrom('push_credentials').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(cred.label, 'Pia test phone');
    const extractable = await page.evaluate(async () => {
      const d = await new Promise<IDBDatabase>((resolve) => { const r = indexedDB.open('tessera-authenticator', 1); r.onsuccess = () => resolve(r.result); });
      const device = await new Promise<{ privateKey: CryptoKey }>((resolve) => { const r = d.transaction('kv').objectStore('kv').get('device'); r.onsuccess = () => resolve(r.result as { privateKey: CryptoKey }); });
      return device.privateKey.extractable;
    });
    assert.equal(extractable, false, 'the device key cannot be exported');

    const s = await signinToPush(server, 'pia', PASSWORD);
    await page.waitForSelector('form.push-request');
    assert.match((await page.textContent('form.push-request .context')) ?? '', /Tessera account · from 127\.0\.0\.1 \(unknown\)/);
    await page.fill('form.push-request input[name=number]', s.number!);
    await page.click('form.push-request button[type=submit]');
    await page.waitForSelector('text=Approved. You can go back');
    const done = await s.b.request('POST', `${s.path}/push-continue`, { csrf: s.csrf });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account');

    // With JavaScript the sign-in page polls and continues by itself once the request is approved.
    const signin = await browser.context.newPage();
    await signin.goto(`${server.url}/account`);
    await signin.fill('#username', 'pia');
    await signin.click('button:has-text("Next")');
    await signin.fill('input[autocomplete="current-password"]', PASSWORD);
    await signin.click('button:has-text("Sign in")');
    const number = (await signin.textContent('#push-number strong'))!.trim();
    await page.waitForSelector('form.push-request');
    await page.fill('form.push-request input[name=number]', number);
    await page.click('form.push-request button[type=submit]');
    await signin.waitForURL(`${server.url}/account`);
  });
}
