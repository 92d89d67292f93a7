/**
 * The main side of the IPC contract on top of the engine and game detection. One instance serves every
 * UI attached to it: the dashboard's WebSocket clients or the Electron window. It owns the session
 * (target game, relay choice, stats history) and turns engine events into contract notifications.
 */
import {
  DEFAULT_SETTINGS,
  IpcError,
  fecRequestForLevel,
  relayRef,
  settingsSchema,
  type AddServerRequest,
  type AppInfo,
  type AppSnapshot,
  type BoostStartRequest,
  type BoostStartResult,
  type BoostState,
  type BoostStats,
  type BoostStatus,
  type EngineEvent,
  type GameView,
  type GamesView,
  type LightspeedHandlers,
  type LightspeedNotifier,
  type RelayEndpoint,
  type RelaysView,
  type RemoveServerRequest,
  type SessionInfo,
  type SessionSummary,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';

import { buildGamesView, catalogView, manualGameId } from './game-library.js';
import type { DetectionResult, EngineFactory, EngineLike, GamesProvider } from './ports.js';
import { RelayBook } from './relay-book.js';
import { fetchRegistry } from './relay-registry.js';
import { registerWithRelays, type RegisterRelays, type Registration } from './relay-registration.js';

/** Session summaries kept (and shown in the UI). */
export const RECENT_SESSIONS = 50;

export interface BackendOptions {
  app: AppInfo;
  createEngine: EngineFactory;
  games: GamesProvider;
  notify: LightspeedNotifier;
  /** Settings to start from (default: DEFAULT_SETTINGS). */
  settings?: Settings;
  /** Persists settings after every change (the desktop app and the dashboard: a settings file). */
  saveSettings?: (settings: Settings) => Promise<void>;
  /** The last sessions' summaries to start from (newest first), and where to keep them after each session. */
  sessions?: SessionSummary[];
  saveSessions?: (sessions: SessionSummary[]) => Promise<void>;
  /** Entries shown first in the Library (the dashboard's demo game). */
  extraGames?: GameView[];
  fetchRegistry?: (url: string, publicKey: string) => Promise<RelayEndpoint[]>;
  /**
   * Makes the engine of a capture-mode session (default: `createEngine`). The desktop app hands in one that
   * runs capture in a privileged helper process, so the app itself never runs as root.
   */
  createCaptureEngine?: EngineFactory;
  /** Gets each relay's session token from its control plane (default: QUIC on port 4433 of every host). */
  registerRelays?: RegisterRelays;
  /** Called once a session carries traffic (the demo starts its simulated game here). */
  onSessionStart?: (session: SessionInfo) => void | Promise<void>;
  /** Called when a session ends for any reason. */
  onSessionEnd?: () => void | Promise<void>;
  now?: () => number;
  /** Stats samples kept for a reloaded UI. Default 300 (five minutes at one per second). */
  historyLength?: number;
}

const RUNNING: ReadonlySet<BoostState['state']> = new Set([
  'probing',
  'connecting',
  'active',
  'degraded',
  'failing-over',
]);

export class LightspeedBackend {
  /** The contract's handlers; give them to `createDispatcher`. */
  readonly handlers: LightspeedHandlers;
  private settings: Settings;
  private readonly relays = new RelayBook();
  private registryRelays: RelayEndpoint[] = [];
  private detection: DetectionResult | null = null;
  private scannedAtMs: number | null = null;
  private engine: EngineLike | null = null;
  private registration: Registration | null = null;
  private unsubscribe: (() => void) | null = null;
  private recent: SessionSummary[];
  private state: BoostState = { state: 'idle' };
  private session: SessionInfo | null = null;
  private starting = false;
  private stats: BoostStats | null = null;
  private history: BoostStats[] = [];
  private readonly now: () => number;
  private readonly historyLength: number;

  constructor(private readonly o: BackendOptions) {
    this.settings = o.settings ?? DEFAULT_SETTINGS;
    this.recent = (o.sessions ?? []).slice(0, RECENT_SESSIONS);
    this.now = o.now ?? Date.now;
    this.historyLength = o.historyLength ?? 300;
    this.relays.setEndpoints(this.settings.relays);
    this.applyPin();
    this.handlers = {
      state: { get: () => this.snapshot() },
      boost: { start: (req) => this.start(req), stop: () => this.stop() },
      relays: { probe: () => this.probe(), pin: (req) => this.pin(req.relayId) },
      games: {
        refresh: () => this.refreshGames(),
        addServer: (req) => this.addServer(req),
        removeServer: (req) => this.removeServer(req),
      },
      settings: { get: () => this.settings, set: (patch) => this.setSettings(patch) },
    };
  }

  /** Loads the relay list (registry if configured), detects games and probes relays; failures are not fatal. */
  async init(): Promise<void> {
    await this.reloadRelays().catch(() => {});
    await Promise.all([this.refreshGames().catch(() => null), this.probe().catch(() => null)]);
  }

  /** Everything the UI starts from. */
  snapshot(): AppSnapshot {
    return {
      app: this.o.app,
      boost: this.status(),
      stats: this.stats,
      statsHistory: this.history,
      relays: this.relays.view(),
      settings: this.settings,
      games: this.gamesView(),
      catalog: catalogView(this.o.games.catalog),
    };
  }

  /** Stops any session; the backend stays usable. */
  async close(): Promise<void> {
    if (this.engine) await this.stop();
  }

  private status(): BoostStatus {
    return { state: this.state, session: this.session, recent: this.recent };
  }

  /** Keeps a finished session's summary (the last 50, newest first) and saves the list. */
  private remember(summary: SessionSummary): void {
    this.recent = [summary, ...this.recent].slice(0, RECENT_SESSIONS);
    void this.o.saveSessions?.(this.recent).catch(() => undefined);
  }

  private publishStatus(): void {
    this.o.notify.boost.state(this.status());
  }

  private async start(req: BoostStartRequest): Promise<BoostStartResult> {
    if (this.starting || RUNNING.has(this.state.state)) {
      throw new IpcError('busy', `a boost session is already ${this.state.state}; stop it first`);
    }
    this.starting = true;
    try {
      const capture = await this.captureTarget(req);
      const { gameId, name, server, wireGameId } = capture ?? this.resolveTarget(req);
      const relayChoice =
        req.relay ??
        (this.relays.pinned === null
          ? { kind: 'auto' as const }
          : { kind: 'pin' as const, relayId: this.relays.pinned });
      let candidates = await this.currentRelays();
      if (candidates.length === 0)
        throw new IpcError('no-relays', 'no relays configured: add one in Settings');
      if (relayChoice.kind === 'pin') {
        const pinned = candidates.find((e) => relayRef(e).id === relayChoice.relayId);
        if (!pinned)
          throw new IpcError('not-found', `relay '${relayChoice.relayId}' is not in the relay list`);
        candidates = [pinned];
      }

      await this.disposeEngine();
      const factory =
        capture === null ? this.o.createEngine : (this.o.createCaptureEngine ?? this.o.createEngine);
      const engine = factory({
        keepaliveMs: this.settings.keepaliveIntervalMs,
        selector: this.settings.routeSelector,
      });
      this.engine = engine;
      this.unsubscribe = engine.subscribe((event) => this.onEngineEvent(engine, event));
      this.stats = null;
      this.history = [];
      this.session = { gameId, name, server, routes: [], relayChoice, startedAtMs: this.now() };
      this.publishStatus();
      try {
        const registration = await (this.o.registerRelays ?? registerWithRelays)(candidates, wireGameId ?? 0);
        this.registration = registration;
        if (registration.relays.length === 0) {
          const names = registration.refused.map((r) => relayRef(r).id).join(', ');
          throw new Error(
            `refused ${names}: its control certificate does not match the pin its registry gave`,
          );
        }
        await engine.start({
          ...(capture === null
            ? { routes: [{ server, localPort: 0 }] }
            : { routes: [], capture: { target: { kind: 'game' as const, gameId: capture.gameId } } }),
          relays: registration.relays,
          ...fecRequestForLevel(this.settings.fecLevel),
          ...(wireGameId === null ? {} : { gameId: wireGameId }),
        });
      } catch (err) {
        this.session = null;
        this.state = engine.getState();
        // Nothing of a failed start outlives it: the engine's sockets and the QUIC registration close too.
        await this.disposeEngine();
        this.publishStatus();
        const message = err instanceof Error ? err.message : String(err);
        throw new IpcError(err instanceof RangeError ? 'invalid-argument' : 'internal', message);
      }
      this.session = { ...this.session, routes: engine.getRoutes() };
      this.state = engine.getState();
      this.publishStatus();
      // A failing hook (the demo's simulated game) must not undo a session that carries traffic.
      await hook(this.o.onSessionStart, this.session);
      return { routes: this.session.routes };
    } finally {
      this.starting = false;
    }
  }

  /**
   * Capture mode's one-click Boost: a running catalogued game needs no address, its servers are found from
   * its traffic. Null when the request is for redirect mode (redirect settings, or an explicit server).
   */
  private async captureTarget(
    req: BoostStartRequest,
  ): Promise<{ gameId: string; name: string; server: string; wireGameId: number | null } | null> {
    if (this.settings.mode !== 'capture' || req.target.kind !== 'game' || req.target.server !== undefined)
      return null;
    const id = req.target.gameId;
    const entry = this.o.games.catalog.find((c) => c.id === id);
    // Not catalogued: capture has no process name to look for; redirect mode still works.
    if (!entry) return null;
    const running = (): boolean => this.gamesView().games.find((g) => g.id === id)?.running === true;
    // The game may have started since the last scan: look again before saying it is not running.
    if (!running()) await this.refreshGames().catch(() => null);
    if (!running()) {
      throw new IpcError(
        'not-running',
        `${entry.name} is not running: start the game, then Boost — capture mode follows its own traffic`,
      );
    }
    return { gameId: id, name: entry.name, server: '', wireGameId: entry.wireGameId };
  }

  private resolveTarget(req: BoostStartRequest): {
    gameId: string | null;
    name: string;
    server: string;
    wireGameId: number | null;
  } {
    if (req.target.kind === 'server') {
      return {
        gameId: null,
        name: req.target.name ?? req.target.server,
        server: req.target.server,
        wireGameId: null,
      };
    }
    const id = req.target.gameId;
    const game = this.gamesView().games.find((g) => g.id === id);
    if (!game) throw new IpcError('not-found', `no game '${id}' in the Library`);
    const server = req.target.server ?? game.servers[0];
    if (server === undefined) {
      throw new IpcError(
        'needs-server',
        `${game.name} has no game server yet: add its address (host:port) to boost it in redirect mode`,
      );
    }
    const wireGameId = this.o.games.catalog.find((c) => c.id === id)?.wireGameId ?? null;
    return { gameId: id, name: game.name, server, wireGameId };
  }

  private async stop(): Promise<undefined> {
    const hadSession = this.engine !== null;
    await this.disposeEngine();
    this.session = null;
    this.state = { state: 'idle' };
    this.publishStatus();
    if (hadSession) await hook(this.o.onSessionEnd);
    return undefined;
  }

  private async disposeEngine(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    // The engine's summary comes during stop(): listen for it alone.
    const off = engine?.subscribe((e) => {
      if (e.type === 'summary') this.remember(e.summary);
    });
    if (engine) await engine.stop('stopped by user');
    off?.();
    const registration = this.registration;
    this.registration = null;
    await registration?.close();
  }

  private onEngineEvent(engine: EngineLike, event: EngineEvent): void {
    if (engine !== this.engine) return;
    switch (event.type) {
      case 'state': {
        const wasRunning = RUNNING.has(this.state.state);
        this.state = event.state;
        this.publishStatus();
        // The engine gave up by itself (every relay failed, or an error): the session is over.
        if (wasRunning && (event.state.state === 'stopped' || event.state.state === 'error'))
          void hook(this.o.onSessionEnd);
        break;
      }
      case 'stats':
        this.stats = event.stats;
        this.history.push(event.stats);
        if (this.history.length > this.historyLength)
          this.history.splice(0, this.history.length - this.historyLength);
        this.o.notify.boost.stats(event.stats);
        break;
      case 'relays':
        this.relays.record(event.relays, this.now());
        this.o.notify.relays.changed(this.relays.view());
        break;
      case 'capture':
        if (this.session === null) break;
        this.session = {
          ...this.session,
          capture: event.capture,
          server: event.capture.servers[0]?.address ?? '',
        };
        this.publishStatus();
        break;
      case 'failover':
        break;
      case 'summary':
        this.remember(event.summary);
        break;
    }
  }

  private async probe(): Promise<RelaysView> {
    const endpoints = await this.currentRelays();
    if (endpoints.length === 0) return this.relays.view();
    this.relays.probing = true;
    this.o.notify.relays.changed(this.relays.view());
    try {
      const prober = this.engine ?? this.o.createEngine({ keepaliveMs: this.settings.keepaliveIntervalMs });
      // A session engine publishes its ranking as an event too; recording twice is harmless.
      this.relays.record(await prober.probe(endpoints), this.now());
    } finally {
      this.relays.probing = false;
      this.o.notify.relays.changed(this.relays.view());
    }
    return this.relays.view();
  }

  /** Pins a relay (null: automatic choice) and keeps the choice in the settings. */
  private async pin(relayId: string | null): Promise<RelaysView> {
    if (relayId !== null && !this.relays.find(relayId))
      throw new IpcError('not-found', `relay '${relayId}' is not in the relay list`);
    await this.saveAndPublish({ ...this.settings, pinnedRelay: relayId });
    return this.relays.view();
  }

  /** Applies the saved pin to the current relay list: automatic while the pinned relay is not in it. */
  private applyPin(): void {
    const id = this.settings.pinnedRelay;
    this.relays.pinned = id !== null && this.relays.find(id) ? id : null;
  }

  private async currentRelays(): Promise<RelayEndpoint[]> {
    if (this.settings.relaySource === 'registry' && this.registryRelays.length === 0)
      await this.reloadRelays();
    return this.relays.list();
  }

  private async reloadRelays(): Promise<void> {
    const { relaySource, registryUrl, registryKey } = this.settings;
    if (relaySource === 'registry' && registryUrl !== null && registryKey !== null) {
      const fetcher = this.o.fetchRegistry ?? fetchRegistry;
      try {
        this.registryRelays = await fetcher(registryUrl, registryKey);
      } catch (err) {
        // A registry that fails verification leaves no relays: never fall back to an older, unverified list.
        this.relays.setEndpoints([]);
        throw new IpcError('no-relays', err instanceof Error ? err.message : String(err));
      }
      this.relays.setEndpoints(this.registryRelays);
    } else {
      this.relays.setEndpoints(this.settings.relays);
    }
    this.applyPin();
  }

  private gamesView(): GamesView {
    return buildGamesView({
      catalog: this.o.games.catalog,
      detection: this.detection,
      gameServers: this.settings.gameServers,
      extraGames: this.o.extraGames ?? [],
      scannedAtMs: this.scannedAtMs,
    });
  }

  private async refreshGames(): Promise<GamesView> {
    this.detection = await this.o.games.detect();
    this.scannedAtMs = this.now();
    const view = this.gamesView();
    this.o.notify.games.changed(view);
    return view;
  }

  private async addServer(req: AddServerRequest): Promise<GameView> {
    let gameId: string;
    let name: string;
    if (req.gameId !== undefined) {
      const known =
        this.gamesView().games.find((g) => g.id === req.gameId) ??
        this.o.games.catalog.find((c) => c.id === req.gameId);
      if (!known) throw new IpcError('not-found', `no game '${req.gameId}' in the Library or the catalog`);
      gameId = known.id;
      name = known.name;
    } else {
      name = req.name ?? req.server;
      gameId = manualGameId(name);
    }
    const exists = this.settings.gameServers.some((s) => s.gameId === gameId && s.server === req.server);
    if (!exists)
      await this.saveAndPublish({
        ...this.settings,
        gameServers: [...this.settings.gameServers, { gameId, name, server: req.server }],
      });
    const game = this.gamesView().games.find((g) => g.id === gameId);
    if (!game) throw new IpcError('internal', `game '${gameId}' vanished`);
    return game;
  }

  private async removeServer(req: RemoveServerRequest): Promise<GamesView> {
    const left = this.settings.gameServers.filter(
      (s) => !(s.gameId === req.gameId && s.server === req.server),
    );
    if (left.length === this.settings.gameServers.length)
      throw new IpcError('not-found', `no server ${req.server} for '${req.gameId}'`);
    await this.saveAndPublish({ ...this.settings, gameServers: left });
    return this.gamesView();
  }

  private async setSettings(patch: SettingsPatch): Promise<Settings> {
    const next = { ...this.settings, ...patch };
    const parsed = settingsSchema.safeParse(next);
    if (!parsed.success)
      throw new IpcError('invalid-argument', parsed.error.issues[0]?.message ?? 'invalid settings');
    if (patch.pinnedRelay != null && patch.pinnedRelay !== this.settings.pinnedRelay) {
      const candidates = next.relaySource === 'list' ? next.relays : this.relays.list();
      if (!candidates.some((e) => relayRef(e).id === patch.pinnedRelay))
        throw new IpcError('not-found', `relay '${patch.pinnedRelay}' is not in the relay list`);
    }
    if (next.relaySource === 'registry' && (next.registryUrl === null || next.registryKey === null)) {
      throw new IpcError(
        'invalid-argument',
        'registryUrl, registryKey: a registry URL and its public key are required when relays come from a registry',
      );
    }
    await this.saveAndPublish(parsed.data);
    return this.settings;
  }

  private async saveAndPublish(next: Settings): Promise<void> {
    const prev = this.settings;
    await this.o.saveSettings?.(next);
    this.settings = next;
    this.o.notify.settings.changed(next);
    if (prev.gameServers !== next.gameServers) this.o.notify.games.changed(this.gamesView());
    const relaysChanged =
      prev.relaySource !== next.relaySource ||
      prev.registryUrl !== next.registryUrl ||
      prev.registryKey !== next.registryKey ||
      JSON.stringify(prev.relays) !== JSON.stringify(next.relays);
    if (relaysChanged) {
      this.registryRelays = [];
      await this.reloadRelays().catch(() => {});
      this.o.notify.relays.changed(this.relays.view());
    } else if (prev.pinnedRelay !== next.pinnedRelay) {
      this.applyPin();
      this.o.notify.relays.changed(this.relays.view());
    }
  }
}

/** Runs an optional session hook; its failure is swallowed (hooks are extras, not the session). */
async function hook<A extends unknown[]>(
  fn: ((...args: A) => void | Promise<void>) | undefined,
  ...args: A
): Promise<void> {
  try {
    await fn?.(...args);
  } catch {
    // Nothing to undo: the session itself is fine.
  }
}
