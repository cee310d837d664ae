import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { brandingConfig } from '../../src/config/branding.ts';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import { authenticator, enrolCli, pendingJson, tempDir } from '../push/support.ts';

/**
 * In Chromium at 360 px wide (a small phone): the organisation's name and logo
 * head the sign-in pages and the account page, the number of a number-matched
 * push is shown large and in text, no page is wider than the screen, and axe
 * finds nothing serious or critical.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="6" fill="#0a5"/></svg>';
const SHOTS = process.env.TESSERA_TEST_SCREENSHOTS;

async function fitsAndIsBranded(page: Page, where: string): Promise<void> {
  const facts = await page.evaluate(() => {
    const logo = document.querySelector<HTMLImageElement>('header.brand img.brand-logo');
    return {
      width: document.documentElement.scrollWidth,
      name: document.querySelector('header.brand .brand-name')?.textContent,
      logoLoaded: !!logo && logo.complete && logo.naturalWidth > 0,
      logoRight: logo?.getBoundingClientRect().right ?? 0,
    };
  });
  assert.ok(facts.width <= 360, `${where}: ${facts.width} px wide at 360`);
  assert.equal(facts.name, 'Acme & Co', where);
  assert.ok(facts.logoLoaded, `${where}: the logo loads (CSP, type)`);
  assert.ok(facts.logoRight <= 360, where);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `${where}: accessibility`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${where.replace(/\W+/g, '-')}.png`), fullPage: true });
}

for (const engine of ENGINES) {
  test(`sign-in, push number and account page at 360 px on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-narrow-'));
    writeFileSync(join(dir, 'logo.svg'), SVG);
    const keys = tempDir();
    const server = await startTestServer(engine, { branding: brandingConfig({ TESSERA_ORG_NAME: 'Acme & Co', TESSERA_ORG_LOGO: join(dir, 'logo.svg') }, (m) => { throw new Error(m); }) });
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
      keys.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });
    const user = await createUserWithPassword(server.ctx, 'pia', PASSWORD);
    const keyFile = await enrolCli(server, user.id, keys.dir, 'phone');

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${server.url}/account`);
    await page.waitForSelector('#username');
    await fitsAndIsBranded(page, 'username page');
    await page.fill('#username', 'pia');
    await page.click('button:has-text("Next")');
    await page.fill('input[autocomplete="current-password"]', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector('#push-number strong');
    await fitsAndIsBranded(page, 'push page');

    const shown = await page.evaluate(() => {
      const n = document.querySelector('#push-number strong')!;
      const box = n.getBoundingClientRect();
      return { text: n.textContent!.trim(), px: parseFloat(getComputedStyle(n).fontSize), left: box.left, right: box.right };
    });
    assert.match(shown.text, /^\d{2}$/, 'the number is text a screen reader reads');
    assert.ok(shown.px >= 48, `the number is large (${shown.px} px)`);
    assert.ok(shown.left >= 0 && shown.right <= 360, 'and fits the screen');

    const [request] = await pendingJson(keyFile);
    const approved = await authenticator(keyFile, 'approve', request!.id, '--number', shown.text);
    assert.deepEqual(approved.out, ['approved']);
    await page.waitForURL(`${server.url}/account`);
    await fitsAndIsBranded(page, 'account page');
    const changes = await page.locator('h2:has-text("Security changes") + ul').textContent();
    assert.match(changes ?? '', /Tessera Authenticator added/);
    assert.doesNotMatch(changes ?? '', /method\.push/);
  });
}
