/**
 * The contract's main side on real parts: the real BoostEngine, the dashboard's demo network (our relay,
 * lossy links, echo server on loopback), real game detection over a fixture home directory, and a real
 * HTTP registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  IpcError,
  createDispatcher,
  createLoopbackTransport,
  createRendererApi,
  ipcSchema,
  type BoostRequest,
  type BoostStats,
  type BoostStatus,
  type LightspeedApi,
  type LightspeedNotifier,
  type RelaysView,
  type Settings,
} from '@lightspeed/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startDemoEnvironment, type DemoEnvironment } from '../dashboard/demo-environment.js';
import { generateRegistryKeys, signRegistry } from '../engine/discovery/index.js';
import { BoostEngine } from '../engine/index.js';
import { waitFor } from '../test-support/wait.js';
import { ScriptedCapture } from '../test-support/scripted-capture.js';
import { LightspeedBackend, type BackendOptions } from './backend.js';
import type { EngineFactory } from './ports.js';
import { createGamesProvider } from './games-provider.js';

interface Harness {
  backend: LightspeedBackend;
  api: LightspeedApi;
  states: BoostStatus[];
  stats: BoostStats[];
  relays: RelaysView[];
  saved: Settings[];
  sessionStarts: number;
  sessionEnds: number;
}

let env: DemoEnvironment;
let home: string;
const harnesses: Harness[] = [];

beforeAll(async () => {
  env = await startDemoEnvironment();
  home = await mkdtemp(path.join(tmpdir(), 'lightspeed-backend-home-'));
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.backend.close();
});

afterAll(async () => {
  await env?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

function harness(
  settings: Partial<Settings> = {},
  createCaptureEngine?: EngineFactory,
  overrides: Partial<BackendOptions> = {},
): Harness {
  const h = {
    states: [],
    stats: [],
    relays: [],
    saved: [],
    sessionStarts: 0,
    sessionEnds: 0,
  } as unknown as Harness;
  const notify: LightspeedNotifier = {
    boost: { state: (s) => h.states.push(s), stats: (s) => h.stats.push(s) },
    relays: { changed: (r) => h.relays.push(r) },
    games: { changed: () => undefined },
    settings: { changed: () => undefined },
  };
  h.backend = new LightspeedBackend({
    app: { version: 'test', shell: 'dashboard', demo: true },
    createEngine: ({ keepaliveMs }) => new BoostEngine({ keepaliveMs, statsIntervalMs: 250 }),
    ...(createCaptureEngine ? { createCaptureEngine } : {}),
    games: createGamesProvider({
      platform: 'linux',
      env: { HOME: home },
      root: home,
      listProcesses: () => Promise.resolve([{ pid: 42, name: 'cs2' }]),
    }),
    notify,
    settings: {
      mode: 'redirect',
      fecLevel: 'balanced',
      keepaliveIntervalMs: 200,
      routeSelector: 'ml',
      defaultRegistry: false,
      relaySource: 'list',
      relays: env.relays,
      registryUrl: null,
      registryKey: null,
      gameServers: [],
      pinnedRelay: null,
      firstRunComplete: true,
      startAtLogin: false,
      closeToTray: true,
      meshExit: 'off',
      multipath: false,
      ...settings,
    },
    saveSettings: (s) => {
      h.saved.push(s);
      return Promise.resolve();
    },
    extraGames: [env.game],
    onSessionStart: async (session) => {
      h.sessionStarts++;
      await env.onSessionStart(session);
    },
    onSessionEnd: async () => {
      h.sessionEnds++;
      await env.onSessionEnd();
    },
    ...overrides,
  });
  h.api = createRendererApi(
    ipcSchema,
    createLoopbackTransport(createDispatcher(ipcSchema, h.backend.handlers)).transport,
  );
  harnesses.push(h);
  return h;
}

const codeOf = (p: Promise<unknown>): Promise<string | null> =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof IpcError ? e.code : `not an IpcError: ${String(e)}`),
  );

describe('LightspeedBackend', () => {
  it('boosts the demo game: active, live stats with RTT and FEC recoveries, then Stop → idle', async () => {
    const h = harness();
    await h.backend.init();
    const snap = await h.api.state.get();
    expect(snap.games.games[0]?.id).toBe(env.game.id);
    expect(snap.games.games.find((g) => g.id === 'cs2')).toMatchObject({ running: true, servers: [] });
    expect(snap.relays.relays.map((r) => r.relay.id)).toEqual(['demo-near', 'demo-far']);
    expect(snap.relays.relays.every((r) => r.probedAtMs !== null)).toBe(true);
    expect(snap.catalog.length).toBeGreaterThan(5);

    const { routes } = await h.api.boost.start({ target: { kind: 'game', gameId: env.game.id } });
    expect(routes).toHaveLength(1);
    expect(routes[0]!.localPort).toBeGreaterThan(0);
    expect(h.sessionStarts).toBe(1);
    await waitFor(() => h.states.some((s) => s.state.state === 'active'), 10_000, 'state active');
    await waitFor(
      () => h.stats.some((s) => s.rtt !== null && s.packetsUp > 20 && s.fecRecovered > 0),
      15_000,
      'stats with RTT and FEC recoveries',
    );
    const live = await h.api.state.get();
    expect(live.boost.session).toMatchObject({ gameId: env.game.id, name: 'Demo Arena', routes });
    expect(live.statsHistory.length).toBeGreaterThan(0);

    expect(await codeOf(h.api.boost.start({ target: { kind: 'game', gameId: env.game.id } }))).toBe('busy');

    await h.api.boost.stop();
    // The session's summary is kept and sent with the status (Session → Recent sessions).
    expect(h.states.at(-1)).toEqual({
      state: { state: 'idle' },
      session: null,
      recent: [expect.objectContaining({ relays: [expect.stringMatching(/^demo-/)], failovers: 0 })],
    });
    expect(h.sessionEnds).toBe(1);
  });

  it('asks for a server for a game that has none; a server added by hand is saved and used', async () => {
    const h = harness();
    await h.api.games.refresh();
    expect(await codeOf(h.api.boost.start({ target: { kind: 'game', gameId: 'cs2' } }))).toBe('needs-server');
    expect(await codeOf(h.api.boost.start({ target: { kind: 'game', gameId: 'no-such-game' } }))).toBe(
      'not-found',
    );

    const game = await h.api.games.addServer({ gameId: 'cs2', server: env.game.servers[0]! });
    expect(game).toMatchObject({ id: 'cs2', name: 'Counter-Strike 2', servers: [env.game.servers[0]] });
    expect(h.saved.at(-1)?.gameServers).toEqual([
      { gameId: 'cs2', name: 'Counter-Strike 2', server: env.game.servers[0] },
    ]);

    const manual = await h.api.games.addServer({ name: 'My LAN Game', server: '127.0.0.1:7777' });
    expect(manual).toMatchObject({ id: 'manual-my-lan-game', source: 'manual', servers: ['127.0.0.1:7777'] });
    expect(await codeOf(h.api.games.addServer({ gameId: 'nope', server: '127.0.0.1:1' }))).toBe('not-found');

    await h.api.boost.start({ target: { kind: 'game', gameId: 'cs2' } });
    await waitFor(() => h.states.some((s) => s.state.state === 'active'), 10_000, 'state active');
    expect(h.states.at(-1)?.session?.server).toBe(env.game.servers[0]);
    await h.api.boost.stop();

    const left = await h.api.games.removeServer({ gameId: 'cs2', server: env.game.servers[0]! });
    expect(left.games.find((g) => g.id === 'cs2')?.servers).toEqual([]);
  });

  it('honours a pinned relay and refuses unknown ones', async () => {
    const h = harness();
    expect(await codeOf(h.api.relays.pin({ relayId: 'atlantis-1' }))).toBe('not-found');
    const view = await h.api.relays.pin({ relayId: 'demo-far' });
    expect(view.pinned).toBe('demo-far');
    await h.api.boost.start({
      target: { kind: 'server', server: env.game.servers[0]!, name: 'Bare server' },
    });
    await waitFor(() => h.states.some((s) => s.state.state === 'active'), 10_000, 'state active');
    const active = h.states.find((s) => s.state.state === 'active')!;
    expect(active.state.state === 'active' && active.state.relay.id).toBe('demo-far');
    expect(active.session?.relayChoice).toEqual({ kind: 'pin', relayId: 'demo-far' });
    await h.api.boost.stop();
    expect((await h.api.relays.pin({ relayId: null })).pinned).toBeNull();
  });

  it('keeps the pin in the settings: saved, restored at start, and held while its relay is away', async () => {
    const h = harness();
    await h.api.relays.pin({ relayId: 'demo-far' });
    expect(h.saved.at(-1)?.pinnedRelay).toBe('demo-far');
    expect(await codeOf(h.api.settings.set({ pinnedRelay: 'atlantis-1' }))).toBe('not-found');

    const restarted = harness({ pinnedRelay: h.saved.at(-1)!.pinnedRelay });
    expect((await restarted.api.state.get()).relays.pinned).toBe('demo-far');

    // The pinned relay leaves the list: automatic choice, but the preference stays and returns with it.
    const far = env.relays.find((r) => r.id === 'demo-far')!;
    await restarted.api.settings.set({ relays: env.relays.filter((r) => r !== far) });
    expect((await restarted.api.state.get()).relays.pinned).toBeNull();
    expect((await restarted.api.settings.get()).pinnedRelay).toBe('demo-far');
    await restarted.api.settings.set({ relays: env.relays });
    expect((await restarted.api.state.get()).relays.pinned).toBe('demo-far');

    await restarted.api.relays.pin({ relayId: null });
    expect(restarted.saved.at(-1)?.pinnedRelay).toBeNull();
    expect(restarted.relays.at(-1)?.pinned).toBeNull();
  });

  it('capture mode: one click on a running game needs no address; a game not running is refused', async () => {
    const capture = new ScriptedCapture([27005]);
    const requests: BoostRequest[] = [];
    const h = harness({ mode: 'capture' }, ({ keepaliveMs }) => {
      const engine = new BoostEngine({
        keepaliveMs,
        captureBackend: () => capture,
        listProcesses: () => Promise.resolve([{ pid: 42, name: 'cs2' }]),
      });
      const start = engine.start.bind(engine);
      engine.start = (req) => (requests.push(req), start(req));
      return engine;
    });
    await h.backend.init();
    expect(await codeOf(h.api.boost.start({ target: { kind: 'game', gameId: 'rocket-league' } }))).toBe(
      'not-running',
    );
    await h.api.boost.start({ target: { kind: 'game', gameId: 'cs2' } });
    expect(requests.map((r) => [r.routes, r.capture])).toEqual([
      [[], { target: { kind: 'game', gameId: 'cs2' } }],
    ]);
    await waitFor(
      () => h.states.some((s) => s.session?.capture?.phase === 'waiting-for-traffic'),
      5000,
      'capture status',
    );
    const status = h.states.at(-1)!.session!.capture!;
    expect(status.processes).toEqual([{ pid: 42, name: 'cs2' }]);
    expect(status.ports).toEqual([27005]);
    // The game talks: its server shows up in the session.
    const server = { address: '127.0.0.1', ip: 0x7f000001, port: 9 };
    capture.send({ address: '127.0.0.1', ip: 0x7f000001, port: 27005 }, server, 'hello');
    await waitFor(() => h.states.at(-1)?.session?.server === '127.0.0.1:9', 5000, 'server found');
    expect(h.states.at(-1)!.session!.capture!.phase).toBe('capturing');
    await h.api.boost.stop();
    expect(capture.stopped).toBe(1);
  });

  it('closes the QUIC registration (and the engine) when a start fails', async () => {
    let closed = 0;
    const h = harness({}, undefined, {
      registerRelays: (relays) =>
        Promise.resolve({ relays, refused: [], close: () => Promise.resolve(void closed++) }),
    });
    // A game server whose name does not resolve: the engine's start fails after registration.
    const code = await codeOf(
      h.api.boost.start({ target: { kind: 'server', server: 'no-such-host.invalid:27015' } }),
    );
    expect(code).toBe('internal');
    expect(closed).toBe(1);
    expect(h.states.at(-1)?.session).toBeNull();
    // Nothing is left running: the next start works.
    await h.api.boost.start({ target: { kind: 'game', gameId: env.game.id } });
    await waitFor(() => h.states.at(-1)?.state.state === 'active', 10_000, 'active');
    expect(closed).toBe(1);
  });

  it('refuses a registry source without a URL', async () => {
    const h = harness();
    expect(await codeOf(h.api.settings.set({ relaySource: 'registry' }))).toBe('invalid-argument');
    expect(h.saved).toEqual([]);
  });

  it('loads relays from a signed registry and refuses one the pinned key did not sign', async () => {
    const keys = generateRegistryKeys();
    const other = generateRegistryKeys();
    const relays = [
      { host: '127.0.0.1', data_port: env.relays[0]!.port, node_id: 'reg-1', region: 'Registry' },
    ];
    const signed = (key: string): string =>
      signRegistry(
        { issuedAt: new Date(Date.now() - 1000), expiresAt: new Date(Date.now() + 3_600_000), relays },
        key,
      );
    const bodies: Record<string, string> = {
      '/good.json': signed(keys.privateKeyPem),
      '/forged.json': signed(other.privateKeyPem),
    };
    const server: Server = createServer((req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(bodies[req.url ?? ''] ?? '{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const h = harness();
      await h.api.settings.set({
        relaySource: 'registry',
        registryUrl: `http://127.0.0.1:${port}/good.json`,
        registryKey: keys.publicKeyBase64,
      });
      expect(h.relays.at(-1)?.relays.map((r) => r.relay.id)).toEqual(['reg-1']);
      const probed = await h.api.relays.probe();
      expect(probed.relays[0]).toMatchObject({ relay: { id: 'reg-1', region: 'Registry' }, reachable: true });

      await h.api.settings.set({ registryUrl: `http://127.0.0.1:${port}/forged.json` });
      expect(h.relays.at(-1)?.relays).toEqual([]);
      expect(await codeOf(h.api.relays.probe())).toBe('no-relays');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
