/**
 * Relays out of the box: the default registry served over real HTTP on loopback (signed with a test key),
 * a require_auth relay with its QUIC control plane, an echo game server and the real engine. The backend
 * is started as on a first run (default settings), with the default registry pointed at the test server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
import {
  DEFAULT_SETTINGS,
  IpcError,
  settingsFileSchema,
  type BoostStatus,
  type LightspeedNotifier,
  type RelaysView,
  type Settings,
} from '@lightspeed/shared';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BoostEngine } from '../engine/index.js';
import { startTestRegistry, type TestRegistry, type WireRelay } from '../test-support/registry-server.js';
import { waitFor } from '../test-support/wait.js';
import { LightspeedBackend, type BackendOptions } from './backend.js';
import { DEFAULT_REGISTRY, defaultRegistryFromEnv } from './default-registry.js';

const PATH = '/v1/registry.json';
let relay: Relay;
let echo: EchoServer;
let registry: TestRegistry;
let dir: string;
let listed: WireRelay[];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  relay = await startTestRelay({
    server: { node_id: 'reg-relay', region: 'lab' },
    security: { require_auth: true, max_sessions_per_ip: 1000 },
    control: { enabled: true },
  });
  echo = await EchoServer.start();
  registry = await startTestRegistry();
  dir = await mkdtemp(path.join(tmpdir(), 'lightspeed-default-registry-'));
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
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

afterAll(async () => {
  await registry?.close();
  await echo?.stop();
  await relay?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Harness {
  backend: LightspeedBackend;
  views: RelaysView[];
  states: BoostStatus[];
}

/** A backend as on a first run: default settings, the default registry at `PATH` of the test server. */
function firstRun(settings: Partial<Settings> = {}, o: Partial<BackendOptions> = {}): Harness {
  const h = { views: [], states: [] } as unknown as Harness;
  const notify: LightspeedNotifier = {
    boost: { state: (s) => h.states.push(s), stats: () => undefined },
    relays: { changed: (r) => h.views.push(r) },
    games: { changed: () => undefined },
    settings: { changed: () => undefined },
  };
  h.backend = new LightspeedBackend({
    app: { version: 'test', shell: 'dashboard', demo: false },
    createEngine: ({ keepaliveMs }) => new BoostEngine({ keepaliveMs, statsIntervalMs: 250 }),
    games: {
      catalog: [],
      detect: () => Promise.resolve({ installed: [], running: [], skipped: [] }),
    },
    notify,
    settings: { ...DEFAULT_SETTINGS, keepaliveIntervalMs: 200, ...settings },
    defaultRegistry: { url: registry.url(PATH), publicKey: registry.publicKey },
    ...o,
  });
  cleanups.push(() => h.backend.close());
  return h;
}

const errorOf = (run: () => unknown): Promise<IpcError | null> =>
  Promise.resolve()
    .then(run)
    .then(
      () => null,
      (e: unknown) => {
        if (e instanceof IpcError) return e;
        throw e;
      },
    );

const ids = (view: RelaysView): string[] => view.relays.map((r) => r.relay.id);
const defaultSource = (view: RelaysView) => view.sources?.find((s) => s.kind === 'default-registry');

describe('the default relay registry', () => {
  it('gives relays from the first run: Boost registers with its relay (control port, pin) and carries the game', async () => {
    registry.serve(PATH, listed);
    const h = firstRun({}, { registryCacheFile: path.join(dir, 'first-run-cache.json') });
    await h.backend.init();
    const view = h.backend.snapshot().relays;
    expect(ids(view)).toEqual(['reg-relay']);
    expect(view.relays[0]).toMatchObject({ relay: { region: 'lab' }, reachable: true });
    expect(view.sources).toEqual([
      { kind: 'list', relays: 0, loading: false, error: null },
      { kind: 'default-registry', url: registry.url(PATH), relays: 1, loading: false, error: null },
    ]);

    const { routes } = await h.backend.handlers.boost.start({
      target: { kind: 'server', server: `127.0.0.1:${echo.port}` },
    });
    await waitFor(() => h.states.some((s) => s.state.state === 'active'), 10_000, 'active');
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: routes[0]!.localPort },
      pps: 100,
      count: 30,
    });
    cleanups.push(() => game.close());
    // The relay requires a token: echoes come back only if registration used its control port and pin.
    await waitFor(() => game.stats().received === 30, 10_000, 'all 30 echoes');
    await h.backend.handlers.boost.stop(undefined);

    // The last good copy is kept for a run where the registry is unreachable.
    const cache = JSON.parse(await readFile(path.join(dir, 'first-run-cache.json'), 'utf8')) as {
      entries: { url: string }[];
    };
    expect(cache.entries.map((e) => e.url)).toEqual([registry.url(PATH)]);
  });

  it("keeps the user's own relays alongside it, and drops only its relays when turned off", async () => {
    registry.serve(PATH, listed);
    const mine = { host: '127.0.0.1', port: 9, id: 'mine' };
    const h = firstRun({ relays: [mine] });
    await h.backend.relays.reload();
    expect(ids(h.backend.relays.view())).toEqual(['mine', 'reg-relay']);

    await h.backend.handlers.settings.set({ defaultRegistry: false });
    expect(ids(h.views.at(-1)!)).toEqual(['mine']);
    expect(defaultSource(h.views.at(-1)!)).toBeUndefined();
    await h.backend.handlers.settings.set({ defaultRegistry: true });
    expect(ids(h.views.at(-1)!)).toEqual(['mine', 'reg-relay']);
  });

  it('unreachable: no relays, the reason is shown, and Boost refuses with it; own relays still work', async () => {
    registry.fail('/down.json', 503);
    const h = firstRun(
      {},
      { defaultRegistry: { url: registry.url('/down.json'), publicKey: registry.publicKey } },
    );
    await h.backend.init();
    const view = h.backend.snapshot().relays;
    expect(view.relays).toEqual([]);
    expect(defaultSource(view)).toMatchObject({ relays: 0, loading: false });
    expect(defaultSource(view)?.error).toMatch(/HTTP 503/);
    const err = await errorOf(() =>
      h.backend.handlers.boost.start({ target: { kind: 'server', server: `127.0.0.1:${echo.port}` } }),
    );
    expect(err?.code).toBe('no-relays');
    expect(err?.message).toMatch(/LightSpeed's relay registry: .*HTTP 503/);

    await h.backend.handlers.settings.set({
      relays: [{ host: '127.0.0.1', port: relay.dataPort, id: 'mine' }],
    });
    expect(ids(await h.backend.relays.probe())).toEqual(['mine']);
  });

  it('refuses a registry signed by another key, and one that has expired', async () => {
    const other = await startTestRegistry();
    cleanups.push(() => other.close());
    // Signed with another key than the one the app pins.
    other.serve(PATH, listed);
    const forged = firstRun({}, { defaultRegistry: { url: other.url(PATH), publicKey: registry.publicKey } });
    await forged.backend.init();
    expect(forged.backend.snapshot().relays.relays).toEqual([]);
    expect(defaultSource(forged.backend.snapshot().relays)?.error).toMatch(/signature does not verify/);

    registry.serve('/expired.json', listed, { validMs: 60_000 });
    const late = firstRun(
      {},
      {
        defaultRegistry: { url: registry.url('/expired.json'), publicKey: registry.publicKey },
        now: () => Date.now() + 120_000,
      },
    );
    await late.backend.init();
    expect(late.backend.snapshot().relays.relays).toEqual([]);
    expect(defaultSource(late.backend.snapshot().relays)?.error).toMatch(/expired/);
  });

  it('a registry unreachable later gives the last good copy, until that copy expires', async () => {
    const cacheFile = path.join(dir, 'stale-cache.json');
    const at = { url: registry.url('/flaky.json'), publicKey: registry.publicKey };
    registry.serve('/flaky.json', listed, { validMs: 60_000 });
    const online = firstRun({}, { defaultRegistry: at, registryCacheFile: cacheFile });
    await online.backend.relays.reload();
    expect(ids(online.backend.relays.view())).toEqual(['reg-relay']);

    registry.fail('/flaky.json', 502);
    const offline = firstRun({}, { defaultRegistry: at, registryCacheFile: cacheFile });
    await offline.backend.relays.reload();
    const view = offline.backend.relays.view();
    expect(ids(view)).toEqual(['reg-relay']);
    expect(defaultSource(view)?.relays).toBe(1);
    expect(defaultSource(view)?.error).toMatch(/HTTP 502/);
    expect(Date.parse(defaultSource(view)!.cachedUntil!)).toBeGreaterThan(Date.now());

    const later = firstRun(
      {},
      { defaultRegistry: at, registryCacheFile: cacheFile, now: () => Date.now() + 120_000 },
    );
    await later.backend.relays.reload();
    expect(later.backend.relays.view().relays).toEqual([]);
    expect(defaultSource(later.backend.relays.view())?.error).toMatch(/HTTP 502.*last good copy.*expired/);
  });

  it('a registry that never answers is given up after the bound, and never holds up the UI', async () => {
    registry.hang('/hang.json');
    const h = firstRun(
      {},
      {
        defaultRegistry: { url: registry.url('/hang.json'), publicKey: registry.publicKey },
        registryTimeoutMs: 300,
      },
    );
    const init = h.backend.init();
    // The UI's snapshot answers while the registry is being fetched, and says so.
    expect(defaultSource(h.backend.snapshot().relays)).toMatchObject({ loading: true, error: null });
    await init;
    expect(defaultSource(h.backend.snapshot().relays)?.loading).toBe(false);
    expect(defaultSource(h.backend.snapshot().relays)?.error).toMatch(/timeout|abort/i);
  });
});

describe('own relays do not wait for the default registry', () => {
  it('Boost through the own list starts while the default registry still hangs', async () => {
    const open = await startTestRelay({ server: { node_id: 'own-relay', region: 'home' } });
    cleanups.push(() => open.stop());
    registry.hang('/slow.json');
    const h = firstRun(
      { relays: [{ host: '127.0.0.1', port: open.dataPort, id: 'mine' }] },
      {
        defaultRegistry: { url: registry.url('/slow.json'), publicKey: registry.publicKey },
        registryTimeoutMs: 60_000,
      },
    );
    void h.backend.init();
    await h.backend.handlers.boost.start({ target: { kind: 'server', server: `127.0.0.1:${echo.port}` } });
    await waitFor(() => h.states.some((s) => s.state.state === 'active'), 10_000, 'active');
    expect(h.states.find((s) => s.state.state === 'active')?.state).toMatchObject({ relay: { id: 'mine' } });
    // The default registry is still being fetched: the session did not wait for it.
    expect(defaultSource(h.backend.snapshot().relays)?.loading).toBe(true);
    expect(registry.hits('/slow.json')).toBe(1);
    await h.backend.handlers.boost.stop(undefined);
  });
});

describe('settings and overrides', () => {
  it('a settings file from before the default registry loads with it on and the own relays kept', () => {
    const old = settingsFileSchema.parse({
      relaySource: 'list',
      relays: [{ host: '198.51.100.7', port: 4434, id: 'own' }],
      firstRunComplete: true,
    });
    expect(old).toMatchObject({ defaultRegistry: true, relays: [{ id: 'own' }], firstRunComplete: true });
    expect(settingsFileSchema.parse({}).defaultRegistry).toBe(true);
  });

  it('LIGHTSPEED_REGISTRY_URL / _KEY move the default registry, `off` removes it, bad values are named', () => {
    expect(defaultRegistryFromEnv({})).toEqual(DEFAULT_REGISTRY);
    expect(defaultRegistryFromEnv({ LIGHTSPEED_REGISTRY_URL: 'off' })).toBeNull();
    expect(
      defaultRegistryFromEnv({
        LIGHTSPEED_REGISTRY_URL: 'http://127.0.0.1:1/r.json',
        LIGHTSPEED_REGISTRY_KEY: 'a'.repeat(64),
      }),
    ).toEqual({ url: 'http://127.0.0.1:1/r.json', publicKey: 'a'.repeat(64) });
    expect(() => defaultRegistryFromEnv({ LIGHTSPEED_REGISTRY_URL: 'ftp://x' })).toThrow(
      /LIGHTSPEED_REGISTRY_URL/,
    );
    expect(() => defaultRegistryFromEnv({ LIGHTSPEED_REGISTRY_KEY: 'short' })).toThrow(
      /LIGHTSPEED_REGISTRY_KEY/,
    );
  });
});
