/**
 * A fake main side speaking the same contract (Mullvad's "mocked end-to-end" habit): in-memory games,
 * relays and settings, a boost session that goes connecting → active, and stats the caller produces
 * with `tick()`. Wired through the real dispatcher (argument validation included) and a JSON loopback
 * transport, so the UI under test cannot tell it from the real backend. Used by component tests and by
 * `vite dev` with `?fake`.
 */
import {
  DEFAULT_SETTINGS,
  IpcError,
  createDispatcher,
  createLoopbackTransport,
  createNotifier,
  createRendererApi,
  ipcSchema,
  settingsSchema,
  type AppSnapshot,
  type BoostState,
  type BoostStats,
  type CaptureStatus,
  type DirectComparison,
  type GameView,
  type LightspeedApi,
  type LightspeedHandlers,
  type RelayRef,
  type RelayView,
  type SessionInfo,
  type Settings,
} from '@lightspeed/shared';

export interface FakeBackendOptions {
  games?: GameView[];
  relays?: RelayView[];
  settings?: Partial<Settings>;
  demo?: boolean;
  /** Fail the next boost.start with this error. */
  startError?: IpcError;
}

export const FAKE_GAMES: GameView[] = [
  {
    id: 'demo-arena',
    name: 'Demo Arena',
    source: 'demo',
    installed: true,
    running: false,
    servers: ['127.0.0.1:27015'],
    detail: 'Local echo server',
  },
  {
    id: 'cs2',
    name: 'Counter-Strike 2',
    source: 'detected',
    installed: true,
    running: true,
    servers: [],
    detail: 'Steam',
  },
  {
    id: 'rocket-league',
    name: 'Rocket League',
    source: 'detected',
    installed: true,
    running: false,
    servers: ['10.0.0.5:7777'],
    detail: 'Epic Games',
  },
];

const relay = (id: string, region: string, port: number): RelayRef => ({
  id,
  address: `127.0.0.1:${port}`,
  region,
});

export const FAKE_RELAYS: RelayView[] = [
  {
    relay: relay('fra-1', 'Frankfurt', 4500),
    rttMs: 18,
    rttMinMs: 16,
    loss: 0,
    reachable: true,
    probedAtMs: 1,
  },
  {
    relay: relay('ams-1', 'Amsterdam', 4501),
    rttMs: 24,
    rttMinMs: 21,
    loss: 0.01,
    reachable: true,
    probedAtMs: 1,
  },
  {
    relay: relay('nyc-1', 'New York', 4502),
    rttMs: null,
    rttMinMs: null,
    loss: 1,
    reachable: false,
    probedAtMs: 1,
  },
];

export class FakeBackend {
  readonly api: LightspeedApi;
  readonly calls: { channel: string; arg: unknown }[] = [];
  state: BoostState = { state: 'idle' };
  session: SessionInfo | null = null;
  settings: Settings;
  games: GameView[];
  relays: RelayView[];
  pinned: string | null = null;
  history: BoostStats[] = [];
  startError: IpcError | null;
  /** What diagnose reports of Cloudflare WARP. */
  warp: { installed: boolean; connected: boolean } | null = { installed: false, connected: false };
  /** When set, settings.set fails with it (an unwritable settings file). */
  failSettings: IpcError | null = null;
  private seq = 0;
  private readonly notify;

  constructor(private readonly o: FakeBackendOptions = {}) {
    this.settings = settingsSchema.parse({
      ...DEFAULT_SETTINGS,
      relays: [{ host: '127.0.0.1', port: 4500, id: 'fra-1', region: 'Frankfurt' }],
      ...o.settings,
    });
    this.games = structuredClone(o.games ?? FAKE_GAMES);
    this.relays = structuredClone(o.relays ?? FAKE_RELAYS);
    this.startError = o.startError ?? null;
    const handlers: LightspeedHandlers = {
      state: { get: () => this.snapshot() },
      boost: {
        start: (req) => {
          this.record('boost.start', req);
          if (this.startError) {
            const err = this.startError;
            this.startError = null;
            throw err;
          }
          if (this.state.state === 'active' || this.state.state === 'connecting')
            throw new IpcError('busy', 'already running');
          const target = req.target;
          const gameId = target.kind === 'game' ? target.gameId : null;
          const game = gameId === null ? undefined : this.games.find((g) => g.id === gameId);
          if (gameId !== null && !game) throw new IpcError('not-found', `no game '${gameId}'`);
          const ref = this.relays[0]!.relay;
          if (this.settings.mode === 'capture' && game !== undefined && target.server === undefined) {
            // Capture mode's one click: no server needed, it is found from the game's traffic.
            this.session = {
              gameId: game.id,
              name: game.name,
              server: '',
              routes: [],
              capture: {
                phase: 'waiting-for-traffic',
                processes: [{ pid: 4242, name: 'cs2' }],
                ports: [27005],
                servers: [],
              },
              relayChoice: req.relay ?? { kind: 'auto' },
              startedAtMs: Date.now(),
            };
            this.setState({ state: 'active', relay: ref, sinceMs: Date.now() });
            return { routes: [] };
          }
          const server = target.server ?? game?.servers[0];
          if (server === undefined)
            throw new IpcError('needs-server', `${game?.name ?? 'game'} has no game server yet`);
          this.session = {
            gameId: game?.id ?? null,
            name: game?.name ?? (target.kind === 'server' ? (target.name ?? server) : server),
            server,
            routes: [{ localPort: 40000, server }],
            relayChoice: req.relay ?? { kind: 'auto' },
            startedAtMs: Date.now(),
          };
          this.history = [];
          this.setState({ state: 'connecting', relay: ref });
          this.setState({ state: 'active', relay: ref, sinceMs: Date.now() });
          return { routes: this.session.routes };
        },
        stop: () => {
          this.record('boost.stop', undefined);
          this.session = null;
          this.setState({ state: 'idle' });
          return undefined;
        },
      },
      relays: {
        probe: () => {
          this.record('relays.probe', undefined);
          return this.relaysView();
        },
        pin: ({ relayId }) => {
          this.record('relays.pin', relayId);
          if (relayId !== null && !this.relays.some((r) => r.relay.id === relayId))
            throw new IpcError('not-found', relayId);
          this.pinned = relayId;
          this.notify.relays.changed(this.relaysView());
          return this.relaysView();
        },
      },
      games: {
        refresh: () => {
          this.record('games.refresh', undefined);
          return this.gamesView();
        },
        addServer: (req) => {
          this.record('games.addServer', req);
          let game = req.gameId === undefined ? undefined : this.games.find((g) => g.id === req.gameId);
          if (req.gameId !== undefined && !game) throw new IpcError('not-found', req.gameId);
          if (!game) {
            const name = req.name ?? req.server;
            game = {
              id: `manual-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
              name,
              source: 'manual',
              installed: false,
              running: false,
              servers: [],
            };
            this.games.push(game);
          }
          if (!game.servers.includes(req.server)) game.servers.push(req.server);
          this.notify.games.changed(this.gamesView());
          return game;
        },
        removeServer: (req) => {
          const game = this.games.find((g) => g.id === req.gameId);
          if (!game) throw new IpcError('not-found', req.gameId);
          game.servers = game.servers.filter((s) => s !== req.server);
          this.notify.games.changed(this.gamesView());
          return this.gamesView();
        },
      },
      diagnose: {
        run: ({ server }) => {
          this.record('diagnose.run', { server });
          return {
            server,
            direct: { rttMs: 48, lossPct: 2 },
            relays: this.relays.map((r, i) => ({ relay: r.relay.id, rttMs: 31 + 5 * i, lossPct: 0 })),
            verdict: `boosting helps via ${this.relays[0]?.relay.id ?? '-'}: 17.0 ms saved, 2.0% loss avoided (without LightSpeed 48.0 ms → with 31.0 ms)`,
            msSaved: 17,
            warp: this.warp,
            atMs: Date.now(),
          };
        },
      },
      settings: {
        get: () => this.settings,
        set: (patch) => {
          this.record('settings.set', patch);
          if (this.failSettings) throw this.failSettings;
          this.settings = settingsSchema.parse({ ...this.settings, ...patch });
          this.notify.settings.changed(this.settings);
          return this.settings;
        },
      },
    };
    const dispatcher = createDispatcher(ipcSchema, handlers);
    const loop = createLoopbackTransport(dispatcher);
    this.notify = createNotifier(ipcSchema, (channel, payload) => loop.emit(channel, payload));
    this.api = createRendererApi(ipcSchema, loop.transport);
  }

  snapshot(): AppSnapshot {
    return {
      app: { version: '0.1.0-fake', shell: 'dashboard', demo: this.o.demo ?? true },
      boost: { state: this.state, session: this.session },
      stats: this.history.at(-1) ?? null,
      statsHistory: this.history,
      relays: this.relaysView(),
      settings: this.settings,
      games: this.gamesView(),
      catalog: [
        { id: 'cs2', name: 'Counter-Strike 2' },
        { id: 'rocket-league', name: 'Rocket League' },
      ],
    };
  }

  /** Capture mode: pushes what capture found (servers, processes) with the session. */
  captureStatus(capture: CaptureStatus): void {
    if (this.session === null) return;
    this.session = { ...this.session, capture, server: capture.servers[0]?.address ?? '' };
    this.notify.boost.state({ state: this.state, session: this.session });
  }

  /** Pushes the live direct comparison with the session (as the engine's `direct` event does). */
  directComparison(direct: DirectComparison): void {
    if (this.session === null) return;
    this.session = { ...this.session, direct };
    this.notify.boost.state({ state: this.state, session: this.session });
  }

  /** Pushes a state (and the session with it) to the UI. */
  setState(state: BoostState): void {
    this.state = state;
    this.notify.boost.state({ state, session: this.session });
  }

  /** Produces one stats sample (deterministic, varied) and pushes it. */
  tick(over: Partial<BoostStats> = {}): BoostStats {
    const n = ++this.seq;
    const rtt = 20 + (n % 7);
    const stats: BoostStats = {
      atMs: 1_700_000_000_000 + n * 1000,
      relay: this.state.state === 'active' ? this.state.relay : null,
      rtt: { min: rtt - 2, p50: rtt, p95: rtt + 6, last: rtt + 1 },
      jitterMs: 1.5 + (n % 3) * 0.25,
      lossUp: 0.02,
      lossDown: 0.05,
      lossDownAfterFec: 0.004,
      fecRecovered: n * 3,
      packetsUp: n * 60,
      packetsDown: n * 60,
      bytesUp: n * 6000,
      bytesDown: n * 6000,
      ...over,
    };
    this.history.push(stats);
    this.notify.boost.stats(stats);
    return stats;
  }

  private record(channel: string, arg: unknown): void {
    this.calls.push({ channel, arg });
  }

  private relaysView() {
    return { relays: this.relays, pinned: this.pinned, probing: false };
  }

  private gamesView() {
    return { games: this.games, scannedAtMs: 1, skipped: [] };
  }
}
