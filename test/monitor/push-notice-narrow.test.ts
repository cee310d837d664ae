import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser } from '../support/browser.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';

/**
 * In Chromium at 360 px: the MFA fatigue notice comes before the push
 * enrolment, its box must be ticked, and the enrolment page (whose one-time
 * link is a single long token) is no wider than the screen (it was 1,205 px).
 */
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function fits(page: Page, where: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${where}: ${width} px wide at 360`);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => v.id), [], `${where}: accessibility`);
}

for (const engine of ENGINES) {
  test(`push enrolment with the fatigue notice at 360 px on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server = await startTestServer(engine);
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    const user = await createUserWithPassword(server.ctx, 'pia', PASSWORD);
    await importTotp(server.ctx, user.id, { secretBase32: SEED, actor: 'test' });

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${server.url}/account/push/new`);
    await page.fill('#username', 'pia');
    await page.click('button:has-text("Next")');
    await page.fill('input[autocomplete="current-password"]', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.fill('input[autocomplete="one-time-code"]', totpCode(SEED));
    await page.click('button:has-text("Verify")');
    await page.waitForSelector('text=Only approve a request you started yourself');
    assert.equal(await page.locator('#enrol-link').count(), 0);
    await fits(page, 'fatigue notice');

    await page.check('input[name="understood"]');
    await page.click('button:has-text("Continue")');
    await page.waitForSelector('#enrol-link');
    await fits(page, 'enrolment page');
    const link = await page.locator('#enrol-link').boundingBox();
    assert.ok(link && link.x >= 0 && link.x + link.width <= 360, 'the link wraps inside the screen');
  });
}
