import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { PASSWORD, consoleSignin, pageWithKey, startConsoleServer } from './support.ts';
import { typeUsernameAndPassword } from '../webauthn/support.ts';
import { enqueue } from '../../src/monitor/outbox/enqueue.ts';

const PAGES = ['', '/posture', '/users', '/groups', '/helpdesk', '/policies', '/policies/new', '/exceptions', '/methods', '/rollout', '/apps', '/devices', '/breakglass', '/signins', '/alerts', '/audit', '/tokens'];
const SHOTS = process.env.TESSERA_TEST_SHOTS;

/** No serious or critical accessibility violation on the page as it is now. */
async function accessible(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `accessibility on ${where}`);
}

async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('main h1');
  await page.waitForLoadState('networkidle');
}

/**
 * Every console page, for a global admin, at desktop width and at 360 px:
 * it renders, nothing is wider than the screen, and axe finds no serious or
 * critical violation. The console's own session: the sign-in goes through the
 * ordinary pages (the default policy asks for a security key), changes need
 * the CSRF header, and an idle console is sent to sign in again.
 */
for (const engine of ENGINES) {
  test(`admin console pages on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startConsoleServer(engine);
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    const alice = await createUserWithPassword(server.ctx, 'alice', PASSWORD, ['global_admin']);
    const { page } = await pageWithKey(browser.context);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await t.test('the console signs in through the sign-in pages with a security key, as its policy requires', async () => {
      await consoleSignin(page, server, 'alice', { firstKey: true });
      assert.match(await page.textContent('.console-user') ?? '', /Signed in as alice/);
      const log = await server.ctx.store.db.selectFrom('signin_log').selectAll().where('client_id', '=', 'tessera-console').where('result', '=', 'success').execute();
      assert.ok(log.some((r) => JSON.parse(r.methods_used).includes('webauthn')), 'the console sign-in used the key');
    });

    await t.test('every page renders at desktop width and at 360 px, without serious accessibility problems', async () => {
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: 900 });
        const policy = await server.ctx.store.db.selectFrom('ca_policies').select('id').where('name', 'like', 'Admin console%').executeTakeFirstOrThrow();
        for (const p of [...PAGES, `/users/${alice.id}`, `/policies/${policy.id}`]) {
          await visit(page, `${server.url}/admin${p}`);
          const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(scroll <= width, `${p || '/'} is ${scroll} px wide at ${width} px`);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/console${p.replaceAll('/', '-').slice(0, 24) || '-overview'}-${width}.png`, fullPage: true });
          if (width === 1280) await accessible(page, p || '/');
        }
      }
      assert.deepEqual(errors, [], 'no script error on any page');
    });

    await t.test('a delivery given up on is sent again from the Alerts page, recorded under the admin', async () => {
      const db = server.ctx.store.db;
      await enqueue(db, 'webhook', { document: { type: 'test', n: 1 } }, { key: 'console-retry', notBefore: new Date(Date.now() + 3_600_000) });
      await db.updateTable('outbox').set({ status: 'failed', attempts: 8, finished_at: new Date().toISOString(), last_error: 'the webhook answered HTTP 503' }).where('dedupe_key', '=', 'console-retry').execute();
      const { id } = await db.selectFrom('outbox').select('id').where('dedupe_key', '=', 'console-retry').executeTakeFirstOrThrow();
      await page.setViewportSize({ width: 360, height: 900 });
      await visit(page, `${server.url}/admin/alerts`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/console-alerts-failed-delivery-360.png`, fullPage: true });
      const row = page.locator('tr', { hasText: 'the webhook answered HTTP 503' });
      await row.locator('button:has-text("Send again")').click();
      await page.waitForSelector('tr:has-text("the webhook answered HTTP 503")', { state: 'detached' });
      const entry = await db.selectFrom('audit_log').select(['actor', 'action']).where('target', '=', `delivery:${id}`).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'delivery.retry');
      assert.equal(entry.actor, `user:${alice.id}`);
    });

    await t.test('the menu works by keyboard alone', async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await visit(page, `${server.url}/admin`);
      // Tab from the top of the page to the menu's "Users" link and follow it with Enter.
      await page.keyboard.press('Tab');
      for (let i = 0; i < 12; i++) {
        if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Users') break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.url}/admin/users`);
      await page.waitForSelector('h1:has-text("Users")');
      // The new page's heading takes the focus, so a screen reader announces where the person is.
      await page.waitForFunction(() => document.activeElement?.tagName === 'H1', undefined, { timeout: 5000 });
    });

    await t.test('methods and strengths change from the console, audited under the person', async () => {
      await visit(page, `${server.url}/admin/methods`);
      await page.click('summary:has-text("Add a strength of your own")');
      await page.fill('input[name=name]', 'keys_only');
      await page.fill('input[name=combinations]', 'password+webauthn, passkey');
      await page.click('button:has-text("Add the strength")');
      await page.waitForSelector('td:has-text("password+webauthn")');
      await page.click('summary:has-text("Change who may use a method")');
      await page.selectOption('select[name=method]', 'totp');
      await page.selectOption('select[name=admins]', 'no');
      await page.click('button:has-text("Save")');
      // The page shows the change once it is saved: administrators may no longer use authenticator app codes (they could before).
      await page.waitForSelector('tr:has-text("Authenticator app code") td:has-text("May not")');
      const actors = await server.ctx.store.db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'in', ['strength.create', 'method.policy.update']).execute();
      assert.ok(actors.length === 2 && actors.every((a) => a.actor === `user:${alice.id}`), JSON.stringify(actors));
    });

    await t.test('changes need the CSRF header; reading does not', async () => {
      const get = await page.request.get(`${server.url}/api/admin/users`);
      assert.equal(get.status(), 200);
      const post = await page.request.post(`${server.url}/api/admin/users`, { data: { username: 'mallory' } });
      assert.equal(post.status(), 403);
      assert.match((await post.json()).message, /did not come from the console page/);
    });

    await t.test('after 15 minutes without activity the console asks to sign in again', async () => {
      const stale = new Date(Date.now() - 16 * 60_000).toISOString();
      await server.ctx.store.db.updateTable('console_sessions').set({ last_seen_at: stale }).execute();
      const r = await page.request.get(`${server.url}/api/admin/users`);
      assert.equal(r.status(), 401);
      // A fresh sign-in, brought back to the page the person was on.
      await page.goto(`${server.url}/admin/users`);
      await typeUsernameAndPassword(page, 'alice', PASSWORD);
      await page.click('button:has-text("Use security key or passkey")');
      await page.waitForURL(`${server.url}/admin/users`);
      await page.waitForSelector('h1:has-text("Users")');
    });
  });
}
