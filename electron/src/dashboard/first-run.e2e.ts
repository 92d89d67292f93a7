/**
 * Relays out of the box, in the browser: `lightspeed dashboard` (built CLI and UI, a fresh config dir, no
 * settings) in Chromium, with its default registry pointed at a registry this test serves on loopback
 * (LIGHTSPEED_REGISTRY_URL / _KEY). Reachable: the welcome dialog lists its relay and a game boosts through
 * it (a require_auth relay with its control plane: registration used the registry's control port and pin).
 * Refused or unreachable: the dialog says which registry failed and why, and "Add a relay or a registry"
 * leads to Settings, which shows the same. Needs `npm run build` and Debian's Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { generateRegistryKeys } from '../engine/discovery/index.js';
import { CHROMIUM, launchChromium } from '../test-support/chromium.js';
import { dashboardUrl } from '../test-support/dashboard-child.js';
import { startTestRegistry, type TestRegistry, type WireRelay } from '../test-support/registry-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'electron/bin/lightspeed.js');

let relay: Relay;
let echo: EchoServer;
let registry: TestRegistry;
let listed: WireRelay[];
let context: BrowserContext;
let page: Page;
const dirs: string[] = [];
const children: ChildProcess[] = [];

/** `lightspeed dashboard` on a first run (empty config and home), its default registry at `registryUrl`. */
async function firstRunDashboard(registryUrl: string, registryKey: string): Promise<string> {
  const home = await mkdtemp(path.join(tmpdir(), 'lightspeed-e2e-home-'));
  dirs.push(home);
  const child = spawn(process.execPath, [cli, 'dashboard', '--no-open', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      LIGHTSPEED_REGISTRY_URL: registryUrl,
      LIGHTSPEED_REGISTRY_KEY: registryKey,
    },
  });
  children.push(child);
  return dashboardUrl(child);
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  if (!existsSync(path.join(root, 'renderer/dist/ui/index.html')))
    throw new Error('run `npm run build` first: the e2e test drives the built CLI and UI');
  relay = await startTestRelay({
    server: { node_id: 'reg-relay', region: 'lab' },
    security: { require_auth: true, max_sessions_per_ip: 1000 },
    control: { enabled: true },
  });
  echo = await EchoServer.start();
  registry = await startTestRegistry();
  listed = [
    {
      host: '127.0.0.1',
      data_port: relay.dataPort,
      control_port: relay.controlPort!,
      cert_sha256: relay.certSha256!,
      node_id: 'reg-relay',
      region: 'lab',
    },
  ];
  const profile = await mkdtemp(path.join(tmpdir(), 'lightspeed-e2e-chromium-'));
  dirs.push(profile);
  context = await launchChromium(profile, CHROMIUM);
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
}, 60_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await registry?.close();
  await echo?.stop();
  await relay?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('first run with the default relay registry (Chromium)', () => {
  it('reachable: the welcome dialog lists its relay, and a game boosts through it with nothing added', async () => {
    registry.serve('/v1/registry.json', listed);
    await page.goto(await firstRunDashboard(registry.url('/v1/registry.json'), registry.publicKey));
    const welcome = page.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    await welcome.waitFor();
    const ready = welcome.getByTestId('relays-ready');
    await ready.waitFor({ timeout: 20_000 });
    expect(await ready.textContent()).toMatch(/^1 relay ready: reg-relay \(lab\)\. Nothing to set up/);
    expect(await welcome.getByTestId('no-relay').count()).toBe(0);
    await welcome.getByRole('button', { name: 'Get started' }).click();
    await welcome.waitFor({ state: 'detached' });

    // The Relays view shows where the relay came from.
    await page.getByRole('button', { name: 'Relays' }).click();
    expect(await page.getByTestId('relay-sources').textContent()).toMatch(
      /LightSpeed's relay registry: 1 relay/,
    );
    await page.getByRole('radio', { name: /Pin reg-relay/ }).waitFor();

    // A game server added by hand (redirect mode), then Boost: no relay was configured by the user.
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByRole('button', { name: 'Add game server' }).click();
    await page.getByLabel('Game name').fill('Echo Game');
    await page.getByLabel('Game server (host:port)').fill(`127.0.0.1:${echo.port}`);
    await page.getByRole('button', { name: 'Add to Library' }).click();
    await page.getByRole('button', { name: 'Boost Echo Game' }).click();
    await page.locator('.hero [role="status"][data-state="active"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('current-relay').textContent()).toBe('reg-relay');

    // The game's traffic goes through the require_auth relay: registration got a token from its control plane.
    const at = await page.locator('dt:text-is("Point your game at") + dd code').textContent();
    const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(at ?? '')?.[1]);
    expect(port).toBeGreaterThan(0);
    const game = await GameTrafficClient.start({ target: { host: '127.0.0.1', port }, pps: 50, count: 20 });
    try {
      await expect.poll(() => game.stats().received, { timeout: 10_000 }).toBe(20);
    } finally {
      await game.close();
    }
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.strip [role="status"][data-state="idle"]').waitFor({ timeout: 10_000 });
  }, 90_000);

  it('refused (signed by another key): the dialog says so and "Add a relay or a registry" opens Settings', async () => {
    const other = generateRegistryKeys();
    registry.serve('/forged.json', listed, { signedBy: other.privateKeyPem });
    await page.goto(await firstRunDashboard(registry.url('/forged.json'), registry.publicKey));
    const welcome = page.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    const warning = welcome.getByTestId('no-relay');
    await warning.waitFor({ timeout: 20_000 });
    expect(await warning.textContent()).toMatch(
      /LightSpeed's relay registry could not be loaded: .*signature does not verify against the pinned key/,
    );
    expect(await warning.textContent()).toMatch(/docs\/relays\.md/);
    expect(await welcome.getByTestId('relays-ready').count()).toBe(0);

    await welcome.getByRole('button', { name: 'Add a relay or a registry' }).click();
    await welcome.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    expect(await page.getByRole('checkbox', { name: "LightSpeed's relays" }).isChecked()).toBe(true);
    expect(await page.getByTestId('relay-sources').textContent()).toMatch(/signature does not verify/);
  }, 60_000);

  it('unreachable: the dialog names the registry that could not be reached and offers to add a relay', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/registry.json`;
    await page.goto(await firstRunDashboard(url, registry.publicKey));
    const welcome = page.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    const warning = welcome.getByTestId('no-relay');
    await warning.waitFor({ timeout: 20_000 });
    expect(await warning.textContent()).toContain(`LightSpeed's relay registry could not be loaded: ${url}`);
    await welcome.getByRole('button', { name: 'Add a relay or a registry' }).waitFor();
  }, 60_000);
});
