/** Debian's Chromium for end-to-end tests, driven by playwright-core, started the one way that works here. */
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A persistent headless context in `profileDir`. Background networking, sync and component updates are
 * off: this machine has no network, and Chromium's own connections would only be refused.
 */
export function launchChromium(profileDir: string, executablePath = CHROMIUM): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    viewport: { width: 1360, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}
