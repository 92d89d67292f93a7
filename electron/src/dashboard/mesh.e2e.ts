/**
 * Issue #13 in the browser: three real mesh relays on loopback (r1–r3 slowed, so r1 reaches r3 through
 * r2) and `lightspeed dashboard` (built CLI and UI, its settings file listing r1 and r2) in Chromium.
 * Settings → Relay mesh: exit r3 and multipath are saved through the UI; a boost then goes through the
 * mesh: the Session view shows both entries' routes (r1 → r2 → r3, r2 → r3). The test plays the game on
 * the port the view names; when the entry r1 is killed the replies keep coming, the view drops r1, and the
 * game server has seen one source address throughout (r3's); the stopped session is in Recent sessions.
 * Needs `npm run build` and Debian's Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_SETTINGS, type Settings } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { startMeshLab, type MeshLab } from '@lightspeed/proxy-server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CHROMIUM, launchChromium } from '../test-support/chromium.js';
import { dashboardUrl } from '../test-support/dashboard-child.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'electron/bin/lightspeed.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('The relay mesh in the dashboard (Chromium)', () => {
  let lab: MeshLab;
  let echo: EchoServer;
  let child: ChildProcess;
  let context: BrowserContext;
  let page: Page;
  let game: dgram.Socket;
  let url = '';
  const dirs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'renderer/dist/ui/index.html')))
      throw new Error('run `npm run build` first: the e2e test drives the built CLI and UI');
    lab = await startMeshLab({ delays: { 'r1-r3': 60 }, probeIntervalMs: 100 });
    echo = await EchoServer.start();
    const config = await mkdtemp(path.join(tmpdir(), 'lightspeed-e2e-mesh-'));
    dirs.push(config);
    const settingsFile = path.join(config, 'settings.json');
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      defaultRegistry: false,
      firstRunComplete: true,
      relays: ['r1', 'r2'].map((n) => ({ host: '127.0.0.1', port: lab.relay(n).dataPort, id: n })),
      gameServers: [{ gameId: 'manual-mesh-arena', name: 'Mesh Arena', server: `127.0.0.1:${echo.port}` }],
    };
    await writeFile(settingsFile, JSON.stringify(settings));
    child = spawn(
      process.execPath,
      [cli, 'dashboard', '--no-open', '--port', '0', '--settings', settingsFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, XDG_CONFIG_HOME: config, LIGHTSPEED_REGISTRY_URL: 'off' },
      },
    );
    url = await dashboardUrl(child);
    const profile = await mkdtemp(path.join(tmpdir(), 'lightspeed-e2e-chromium-'));
    dirs.push(profile);
    context = await launchChromium(profile, CHROMIUM);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    game = dgram.createSocket('udp4');
    await new Promise<void>((r) => game.bind(0, '127.0.0.1', () => r()));
  }, 60_000);

  afterAll(async () => {
    game?.close();
    await context?.close().catch(() => undefined);
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await lab?.stop();
    await echo?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('exit and multipath set in Settings; Session shows both entries’ routes; the entry dies, the server sees one address', async () => {
    const r1 = lab.relay('r1').mesh!;
    // Routes follow live measurements: wait until the slow link is measured slow and r3 is reached via r2.
    await expect
      .poll(() => (r1.matrixTable().r1?.r3?.rtt_ms ?? 0) >= 100 && r1.routeTable().r3?.join(), {
        timeout: 15_000,
      })
      .toBe('r1,r2,r3');
    await page.goto(url);

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const mesh = page.getByRole('group', { name: 'Relay mesh' });
    expect(await mesh.getByRole('radio', { name: /Off/ }).isChecked()).toBe(true);
    await mesh.getByRole('radio', { name: /This exit/ }).click();
    await mesh.getByLabel('Exit node id').fill('r3');
    await mesh.getByRole('button', { name: 'Use this exit' }).click();
    await expect.poll(() => mesh.getByRole('checkbox', { name: /Multipath/ }).isEnabled()).toBe(true);
    await mesh.getByRole('checkbox', { name: /Multipath/ }).click();
    await expect.poll(() => mesh.getByRole('checkbox', { name: /Multipath/ }).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Library', exact: true }).click();
    await page.getByRole('button', { name: 'Boost Mesh Arena' }).click();
    await page.locator('.hero [role="status"][data-state="active"]').waitFor({ timeout: 30_000 });
    const paths = page.getByTestId('mesh-path');
    await expect.poll(() => paths.allTextContents()).toEqual(['r1 → r2 → r3', 'r2 → r3']);
    expect(await page.getByTestId('mesh-exit').textContent()).toBe('r3');
    expect(await page.getByText('Mesh route (multipath)').count()).toBe(1);

    // The game: datagrams to the port the view names, replies counted by their first byte.
    const where = await page
      .locator('.route > div', { has: page.locator('dt', { hasText: 'Point your game at' }) })
      .locator('dd code')
      .textContent();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(where ?? '')![1]);
    const got = new Set<number>();
    game.on('message', (m) => got.add(m[0]! * 256 + m[1]!));
    let sent = 0;
    const play = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++, sent++) {
        game.send(Uint8Array.of(sent >> 8, sent & 0xff, 1), port, '127.0.0.1');
        await sleep(10);
      }
    };
    await play(50);
    await expect.poll(() => got.size, { timeout: 10_000 }).toBe(50);
    const sources = [...echo.peers];
    expect(sources).toHaveLength(1);
    expect(lab.relay('r3').mesh!.flows().exit).toBe(1);

    // The entry r1 dies mid-session: multipath loses nothing, and the view follows.
    await lab.relay('r1').stop();
    await play(100);
    await expect.poll(() => got.size, { timeout: 10_000 }).toBe(150);
    expect([...echo.peers]).toEqual(sources);
    expect(echo.packets).toBe(150); // the exit dropped every duplicate
    await expect.poll(() => paths.allTextContents(), { timeout: 10_000 }).toEqual(['r2 → r3']);

    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.strip [role="status"][data-state="idle"]').waitFor({ timeout: 10_000 });
    // The mesh session's summary lands in Recent sessions, with both entries that carried it.
    const recent = page.getByRole('table', { name: 'Recent sessions' });
    await recent.waitFor();
    expect(await recent.locator('tbody tr').count()).toBe(1);
    expect(await recent.locator('tbody tr').first().textContent()).toMatch(/r1.*r2/);
  }, 120_000);
});
