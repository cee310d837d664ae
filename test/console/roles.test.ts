import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Person } from '../recovery/browser-person.ts';
import { PASSWORD, consoleSignin, pageWithKey, startConsoleServer } from './support.ts';

/** A change through the admin API from the signed-in console page, with its CSRF token, as the console's own script makes it. */
async function consoleCall(page: Page, method: string, path: string, body: unknown): Promise<number> {
  return page.evaluate(async ({ method, path, body }) => {
    const session = await (await fetch('/admin/api/session')).json() as { csrf: string };
    const r = await fetch(`/api/admin${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: JSON.stringify(body) });
    return r.status;
  }, { method, path, body });
}

/**
 * The console for each role: a security admin writes a policy in report-only,
 * sees what it would have done from the sign-in log, then enforces it; an
 * exception needs a second person (the requester approving it is refused);
 * an auditor sees and cannot change.
 */
for (const engine of ENGINES) {
  test(`console roles on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startConsoleServer(engine);
    const browser = await launchBrowser();
    const personBrowser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await personBrowser.close();
      await server.close();
    });
    await createUserWithPassword(server.ctx, 'sam', PASSWORD, ['security_admin']);
    await createUserWithPassword(server.ctx, 'gail', PASSWORD, ['global_admin']);
    await createUserWithPassword(server.ctx, 'audrey', PASSWORD, ['auditor']);
    await createUserWithPassword(server.ctx, 'dave', PASSWORD);
    const dave = new Person(personBrowser, server.url, 'dave', PASSWORD);
    const sam = await pageWithKey(browser.context);

    await t.test('a security admin writes a policy in report-only, sees its impact, enforces it', async () => {
      await consoleSignin(sam.page, server, 'sam', { firstKey: true });
      await sam.page.click('nav a:has-text("Conditional access")');
      await sam.page.click('a:has-text("New policy")');
      await sam.page.fill('input[name=name]', 'Everyone uses MFA');
      await sam.page.selectOption('select[name=state]', 'reportOnly');
      await sam.page.selectOption('select[name=strength]', 'mfa');
      await sam.page.click('button:has-text("Save")');
      await sam.page.waitForSelector('h1:has-text("Everyone uses MFA")');
      assert.match(await sam.page.textContent('.impact') ?? '', /no sign-in was evaluated/);

      // Dave signs in with his password alone: allowed today, and the report-only policy notes it would have asked for more.
      await dave.typePassword(await dave.device());
      await sam.page.reload();
      await sam.page.waitForSelector('.impact');
      assert.match(await sam.page.textContent('.impact') ?? '', /asked more of 1 \(1 people\)/);

      await sam.page.click('button:has-text("Enforce")');
      await sam.page.waitForSelector('main p:has-text("Enforced")');
      const policy = await server.ctx.store.db.selectFrom('ca_policies').select('state').where('name', '=', 'Everyone uses MFA').executeTakeFirstOrThrow();
      assert.equal(policy.state, 'enabled');
    });

    await t.test('a security admin adds an app; its secret is shown once', async () => {
      await sam.page.click('nav a:has-text("Apps")');
      await sam.page.fill('input[name=clientId]', 'mail');
      await sam.page.fill('input[name=name]', 'Company Mail');
      await sam.page.fill('textarea[name=redirects]', 'https://mail.example.com/callback');
      await sam.page.selectOption('select[name=auth]', 'client_secret_post');
      await sam.page.selectOption('select[name=category]', 'mail');
      await sam.page.click('button:has-text("Add the app")');
      const secret = ((await sam.page.textContent('.secret')) ?? '').trim();
      assert.match(secret, /^tcs_/);
      const row = await server.ctx.store.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', 'mail').executeTakeFirstOrThrow();
      assert.deepEqual([row.token_endpoint_auth_method, row.category], ['client_secret_post', 'mail']);
      assert.notEqual(row.secret_hash, secret, 'only its hash is kept');
      await sam.page.click('button:has-text("Done")');
      await sam.page.waitForSelector('td:has-text("Company Mail (mail)")');
      assert.equal(await sam.page.locator('.secret').count(), 0);
    });

    await t.test('an exception needs a second person: its requester cannot approve it', async () => {
      await sam.page.click('nav a:has-text("Exceptions")');
      await sam.page.fill('input[name=policy]', 'Everyone uses MFA');
      await sam.page.fill('input[name=user]', 'dave');
      await sam.page.fill('input[name=endsAt]', new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10));
      await sam.page.fill('textarea[name=reason]', 'Dave is waiting for his replacement phone');
      await sam.page.click('button:has-text("Ask for approval")');
      await sam.page.waitForSelector('td:has-text("Waiting for approval")');
      await sam.page.click('button:has-text("Approve")');
      await sam.page.waitForSelector('[role="alert"]');
      assert.match(await sam.page.textContent('[role="alert"]') ?? '', /other than|another|second|requester/i);

      await browser.context.clearCookies();
      const gail = await pageWithKey(browser.context);
      await consoleSignin(gail.page, server, 'gail', { firstKey: true });
      await gail.page.click('nav a:has-text("Exceptions")');
      await gail.page.click('button:has-text("Approve")');
      await gail.page.waitForSelector('td:has-text("Active")');
      const entry = await server.ctx.store.db.selectFrom('audit_log').select('actor').where('action', '=', 'policy.exception.approve').executeTakeFirstOrThrow();
      const gailId = (await server.ctx.store.db.selectFrom('users').select('id').where('username', '=', 'gail').executeTakeFirstOrThrow()).id;
      assert.equal(entry.actor, `user:${gailId}`, 'the approval is recorded under the person who approved');
      await gail.page.close();
    });

    await t.test('an auditor sees and cannot change', async () => {
      await browser.context.clearCookies();
      const audrey = await pageWithKey(browser.context);
      await consoleSignin(audrey.page, server, 'audrey', { firstKey: true });
      const menu = await audrey.page.locator('nav a').allTextContents();
      assert.ok(menu.includes('Audit log') && menu.includes('Sign-in log') && menu.includes('Conditional access'), menu.join(', '));
      assert.ok(!menu.includes('Helpdesk') && !menu.includes('API tokens'), 'no page the auditor could not use');
      await audrey.page.click('nav a:has-text("Conditional access")');
      assert.equal(await audrey.page.locator('a:has-text("New policy")').count(), 0);
      await audrey.page.click('a:has-text("Everyone uses MFA")');
      await audrey.page.waitForSelector('pre.json');
      assert.equal(await audrey.page.locator('button:has-text("Save")').count(), 0, 'no editor');
      assert.equal(await consoleCall(audrey.page, 'POST', '/users', { username: 'eve' }), 403, 'the server refuses the change');
      assert.equal(await consoleCall(audrey.page, 'PUT', '/policies/Everyone%20uses%20MFA/state', { state: 'disabled' }), 403);
      // The sign-in log shows what each policy did to each sign-in, report-only ones included.
      await audrey.page.click('nav a:has-text("Sign-in log")');
      await audrey.page.waitForSelector('td ul.plain');
      const log = await audrey.page.textContent('main') ?? '';
      assert.match(log, /Admin console: phishing-resistant sign-in: was satisfied/);
      assert.match(log, /Everyone uses MFA \(report-only\): would have asked for more/);
      await audrey.page.goto(`${server.url}/admin/tokens`);
      await audrey.page.waitForSelector('text=Your roles do not include this page');
    });
  });
}
