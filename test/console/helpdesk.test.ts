import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { Person } from '../recovery/browser-person.ts';
import { PASSWORD, consoleSignin, pageWithKey, startConsoleServer } from './support.ts';

const OLD_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Submits the case page's next-step form and waits for the step after it. */
async function step(page: Page, button: string, next: string | RegExp) {
  await page.click(`button:has-text("${button}")`);
  await page.waitForSelector(typeof next === 'string' ? `#next-step:has-text("${next}")` : `text=${next.source}`);
}

/**
 * The lost-phone runbook in the console, end to end, with real browsers on
 * both sides: a helpdesk person (signed in to the console with a security key)
 * verifies the caller, issues a Temporary Access Pass (shown once), records how
 * it was delivered; the person signs in with the pass on a new phone and sets up
 * an authenticator app; the helpdesk confirms it, removes the lost phone's app
 * and closes the case. Every step is audited under the helpdesk person.
 */
for (const engine of ENGINES) {
  test(`helpdesk: the lost-phone case in the console on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startConsoleServer(engine);
    const helpdeskBrowser = await launchBrowser();
    const personBrowser = await launchBrowser();
    t.after(async () => {
      await helpdeskBrowser.close();
      await personBrowser.close();
      await server.close();
    });
    const hana = await createUserWithPassword(server.ctx, 'hana', PASSWORD, ['helpdesk']);
    const dave = await createUserWithPassword(server.ctx, 'dave', PASSWORD);
    await importTotp(server.ctx, dave.id, { secretBase32: OLD_SECRET, actor: 'test' });
    const person = new Person(personBrowser, server.url, 'dave', PASSWORD);
    const lostPhone = await person.device();
    lostPhone.totpSecret = OLD_SECRET;

    const { page } = await pageWithKey(helpdeskBrowser.context);
    await consoleSignin(page, server, 'hana', { firstKey: true });
    assert.equal(await page.locator('nav a:has-text("Helpdesk")').count(), 1, 'the helpdesk sees the helpdesk page');
    assert.equal(await page.locator('nav a:has-text("API tokens")').count(), 0, 'and not the pages of other roles');

    await page.click('nav a:has-text("Helpdesk")');
    await page.fill('input[name=user]', 'dave');
    await page.selectOption('select[name=scenario]', 'lost_phone');
    await page.click('button:has-text("Open the case")');
    await page.waitForSelector('#next-step:has-text("Verify who is asking")');

    await page.selectOption('select[name=method]', 'callback_number_on_file');
    await page.fill('textarea[name=notes]', 'Called back on the mobile number in the HR record');
    await step(page, 'Record the check', 'Issue a Temporary Access Pass');
    await page.click('button:has-text("Issue the pass")');
    const pass = ((await page.textContent('.secret', { timeout: 10_000 })) ?? '').trim();
    assert.ok(pass.length >= 8, 'the pass is shown once');
    await page.click('button:has-text("Continue")');
    await page.waitForSelector('#next-step:has-text("Give the pass to the person")');
    assert.equal(await page.locator('.secret').count(), 0, 'and not again');
    await page.selectOption('select[name=channel]', 'phone_call');
    await step(page, 'Record the delivery', 'Confirm a new method is registered');

    const newPhone = await person.device();
    await person.signInWithPass(newPhone, pass, 'totp');

    await step(page, 'Confirm', 'Remove the old device');
    assert.equal(await page.locator('fieldset input[type=checkbox]').count(), 1, 'the lost phone\'s authenticator app is offered for removal');
    await step(page, 'Remove the old methods', 'Confirm the person can sign in');
    await person.totpIsRefused(lostPhone);
    await person.signInNormally(newPhone, 'totp');
    await step(page, 'Confirm', 'Close the case');
    await page.click('button:has-text("Close the case")');
    await page.waitForSelector('text=This case is closed');

    const entries = await server.ctx.store.db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'like', 'case.%').execute();
    assert.ok(entries.length >= 7, `every step is audited (${entries.length})`);
    assert.deepEqual([...new Set(entries.map((e) => e.actor))], [`user:${hana.id}`], 'under the helpdesk person who did it');
  });
}

/**
 * A pass for a privileged account needs a second person, and in the console
 * that is a second person signed in: the issuer pressing "Approve" is refused,
 * a colleague approving from their own console session is recorded as the
 * approver.
 */
for (const engine of ENGINES) {
  test(`helpdesk: a privileged account's pass is approved by a second signed-in person on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startConsoleServer(engine);
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    await createUserWithPassword(server.ctx, 'hana', PASSWORD, ['helpdesk']);
    const ivan = await createUserWithPassword(server.ctx, 'ivan', PASSWORD, ['helpdesk']);
    await createUserWithPassword(server.ctx, 'gwen', PASSWORD, ['security_admin']);

    const hana = await pageWithKey(browser.context);
    await consoleSignin(hana.page, server, 'hana', { firstKey: true });
    await hana.page.click('nav a:has-text("Helpdesk")');
    await hana.page.fill('input[name=user]', 'gwen');
    await hana.page.selectOption('select[name=scenario]', 'first_device');
    await hana.page.click('button:has-text("Open the case")');
    await hana.page.waitForSelector('#next-step:has-text("Verify who is asking")');
    const caseUrl = hana.page.url();
    await hana.page.selectOption('select[name=method]', 'in_person_id');
    await step(hana.page, 'Record the check', 'Issue a Temporary Access Pass');
    await hana.page.click('button:has-text("Issue the pass")');
    await hana.page.click('button:has-text("Continue")');
    await hana.page.waitForSelector('#next-step:has-text("Second person approves the pass")');
    await hana.page.click('button:has-text("Approve the pass")');
    await hana.page.waitForSelector('.form-status.error');
    assert.match(await hana.page.textContent('.form-status.error') ?? '', /different person from the issuer/);

    await browser.context.clearCookies();
    const second = await pageWithKey(browser.context);
    await consoleSignin(second.page, server, 'ivan', { firstKey: true });
    await second.page.goto(caseUrl);
    await second.page.waitForSelector('#next-step:has-text("Second person approves the pass")');
    await step(second.page, 'Approve the pass', 'Give the pass to the person');
    const tap = await server.ctx.store.db.selectFrom('temporary_access_passes').select(['status', 'approved_by']).executeTakeFirstOrThrow();
    assert.deepEqual([tap.status, tap.approved_by], ['active', ivan.id]);
  });
}
