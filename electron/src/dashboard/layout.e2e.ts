/**
 * The UI's layout and legibility in real Chromium, against a real `lightspeed dashboard --demo`: the
 * Session view survives window resizes (Stop stays on screen), narrow windows keep their navigation, and
 * small text reaches WCAG AA contrast (4.5:1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium } from '../test-support/chromium.js';
import { dashboardUrl } from '../test-support/dashboard-child.js';

const cli = fileURLToPath(new URL('../../bin/lightspeed.js', import.meta.url));
const POLL = { timeout: 20_000, interval: 200 };

// In-page checks, as expressions (this project compiles without the DOM library; they run in Chromium).
/** How far Stop and the content reach past the window (0 when nothing overflows). */
const OVERFLOW = `(() => {
  const stop = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop');
  const content = document.querySelector('.content');
  return {
    stop: Math.max(0, Math.round(stop.getBoundingClientRect().right - window.innerWidth)),
    content: Math.max(0, content.scrollWidth - content.clientWidth),
  };
})()`;

/** The lowest contrast of any visible text under 14 px against --panel-2 (the lightest panel). */
const LOWEST_CONTRAST = `(() => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((c) => {
      const v = c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = (css) => {
    const m = /rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/.exec(css);
    if (m === null || (m[4] !== undefined && Number(m[4]) < 0.99)) return null;
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  const panel = lum([0x14, 0x1b, 0x30]);
  let low = { ratio: 99, text: '' };
  for (const el of document.querySelectorAll('.content *, .sidebar *, .strip *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent || '').trim() !== '');
    const style = getComputedStyle(el);
    if (!own || parseFloat(style.fontSize) >= 14 || el.offsetParent === null) continue;
    const color = parse(style.color);
    if (color === null) continue;
    const l = lum(color);
    const ratio = (Math.max(l, panel) + 0.05) / (Math.min(l, panel) + 0.05);
    if (ratio < low.ratio) low = { ratio, text: el.className + ': ' + (el.textContent || '').trim().slice(0, 40) };
  }
  return low;
})()`;

describe('dashboard layout in Chromium', () => {
  let dash: ChildProcess;
  let context: BrowserContext;
  let page: Page;
  let profile = '';

  beforeAll(async () => {
    dash = spawn(process.execPath, [cli, 'dashboard', '--demo', '--no-open', '--port', '0'], {
      stdio: 'pipe',
    });
    const url = await dashboardUrl(dash);
    profile = await mkdtemp(path.join(tmpdir(), 'lightspeed-layout-'));
    context = await launchChromium(profile);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    await page.goto(url);
    const welcome = page.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    await welcome.getByRole('button', { name: 'Get started' }).click();
    await welcome.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Boost Demo Arena' }).click();
    await page.locator('.hero [role="status"][data-state="active"]').waitFor();
    // Let the charts draw at the first size.
    for (let i = 0; i < 100; i++) {
      if (Number(await page.getByRole('figure').first().getAttribute('data-samples')) >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    dash?.kill('SIGTERM');
    if (profile !== '') await rm(profile, { recursive: true, force: true });
  });

  const overflow = (): Promise<{ stop: number; content: number }> => page.evaluate(OVERFLOW);

  it('keeps the Session view, and Stop, inside the window across resizes', async () => {
    for (const [width, height] of [
      [1360, 860],
      [1000, 700],
      [1360, 860],
      [820, 700],
      [1280, 800],
    ] as const) {
      await page.setViewportSize({ width, height });
      // Charts follow their box through a ResizeObserver: poll until the layout settles.
      await expect.poll(overflow, POLL).toEqual({ stop: 0, content: 0 });
    }
  });

  it('keeps the navigation in a narrow window', async () => {
    await page.setViewportSize({ width: 700, height: 700 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    expect(await nav.isVisible()).toBe(true);
    await nav.getByRole('button', { name: 'Session' }).click();
    await page.getByRole('heading', { name: 'Demo Arena', level: 2 }).waitFor();
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  it('gives small text at least 4.5:1 contrast against the panels', async () => {
    for (const view of ['Session', 'Library', 'Relays', 'Settings']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: view }).click();
      await page.locator('.content h2').first().waitFor();
      const worst = await page.evaluate<{ ratio: number; text: string }>(LOWEST_CONTRAST);
      expect(worst.ratio, `${view}: ${worst.text}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
