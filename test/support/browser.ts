import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { onCI } from './engines.ts';

/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded
 * browser). Without it, browser tests skip on a laptop and fail on CI.
 */
export const CHROMIUM = '/usr/bin/chromium';

export function browserSkip(): { skip?: string } {
  if (existsSync(CHROMIUM) || onCI) return {};
  return { skip: `browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium` };
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  // These flags keep Chromium from reaching out to the network on start (this machine has none)
  // and let it run as root inside a container.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
