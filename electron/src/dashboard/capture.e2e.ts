/**
 * One-click Boost in capture mode, end to end (root: network namespaces; skipped, saying so, otherwise).
 * A "cs2" process (the catalog's Linux process name) sends to a game server behind a router running our
 * relay; `lightspeed dashboard` runs in the game's namespace in capture mode, and Debian's Chromium (in the
 * same namespace, to reach the dashboard's 127.0.0.1) clicks Boost Counter-Strike 2. The Session view says
 * what capture found; the server then sees the relay's address; Stop removes every rule.
 */
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

import { canUseNetns } from '@lightspeed/shared/node';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CLI,
  GAME_HOST,
  PEERS,
  RELAY_ADDR,
  RELAY_HOST,
  SERVER_HOST,
  SERVER_PORT,
  startCaptureLab,
  type CaptureLab,
} from '../test-support/capture-lab.js';
import { lines, type NextLine } from '../test-support/child-lines.js';
import { CHROMIUM, launchChromium } from '../test-support/chromium.js';
import { dashboardUrl } from '../test-support/dashboard-child.js';

const POLL = { timeout: 20_000, interval: 250 };

interface Window {
  sent: number;
  replies: number;
  from: Record<string, number>;
  seen: Record<string, number>;
}

describe.skipIf(!canUseNetns())('capture mode in the dashboard, one click (root, Chromium)', () => {
  let net: CaptureLab;
  let dir = '';
  let dash: ChildProcess;
  let game: ChildProcess;
  let gameLines: NextLine;
  let context: BrowserContext;
  let page: Page;
  let url = '';

  const traffic = async (ms: number): Promise<Window> => {
    game.stdin!.write('report\n');
    await gameLines((l) => l.startsWith('{"sent"'));
    await new Promise((r) => setTimeout(r, ms));
    game.stdin!.write('report\n');
    return JSON.parse(await gameLines((l) => l.startsWith('{"sent"'))) as Window;
  };

  const leftovers = async (): Promise<boolean> =>
    /\blightspeed\b/.test(await net.lab.exec(net.game, 'nft', ['list', 'tables']));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    net = await startCaptureLab();
    dir = await mkdtemp(path.join(tmpdir(), 'ls-capture-e2e-'));
    // The game: a process whose name is the catalog's, as Steam would start it.
    const cs2 = path.join(dir, 'cs2');
    await symlink(process.execPath, cs2);
    game = net.lab.spawn(net.game, cs2, [
      path.join(PEERS, 'game.mjs'),
      SERVER_HOST,
      String(SERVER_PORT),
      '20',
    ]);
    gameLines = lines(game);
    await gameLines((l) => l.includes('"ready"'));
    const settings = path.join(dir, 'settings.json');
    const [relayHost, relayPort] = RELAY_ADDR.split(':');
    await writeFile(
      settings,
      JSON.stringify({
        mode: 'capture',
        firstRunComplete: true,
        relays: [{ host: relayHost, port: Number(relayPort), id: 'router', region: 'lab' }],
      }),
    );
    dash = net.lab.spawn(net.game, process.execPath, [
      CLI,
      'dashboard',
      '--no-open',
      '--port',
      '0',
      '--settings',
      settings,
    ]);
    url = await dashboardUrl(dash);
    // Chromium in the game's namespace (to reach the dashboard's loopback); Playwright talks over a pipe.
    const wrapper = path.join(dir, 'chromium-in-netns');
    await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${net.game} ${CHROMIUM} "$@"\n`);
    await chmod(wrapper, 0o755);
    context = await launchChromium(path.join(dir, 'profile'), wrapper);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await net?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('Boost on the running game: waiting for traffic, then its server and relay; the server sees the relay', async () => {
    expect(Object.keys((await traffic(400)).seen)).toEqual([GAME_HOST]);
    await page.goto(url);
    const boost = page.getByRole('button', { name: 'Boost Counter-Strike 2' });
    await boost.waitFor();
    await boost.click();
    await page.getByRole('heading', { name: 'Counter-Strike 2', level: 2 }).waitFor();
    await page.locator('.hero [role="status"][data-state="active"]').waitFor();
    await expect
      .poll(async () => (await page.getByTestId('capture-servers').textContent()) ?? '', POLL)
      .toContain(`${SERVER_HOST}:${SERVER_PORT}`);
    expect(await page.getByTestId('capture-process').textContent()).toContain(`cs2 (${game.pid})`);
    expect(await page.getByTestId('current-relay').textContent()).toBe('router');
    const w = await traffic(1000);
    expect(Object.keys(w.seen)).toEqual([RELAY_HOST]);
    expect(Object.keys(w.from)).toEqual([`${SERVER_HOST}:${SERVER_PORT}`]);
    expect(await leftovers()).toBe(true);
    await page
      .screenshot({ path: path.join(process.cwd(), 'test-artifacts', 'dashboard-capture.png') })
      .catch(() => undefined);

    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(leftovers, POLL).toBe(false);
    expect(Object.keys((await traffic(400)).seen)).toEqual([GAME_HOST]);
  });
});
