/**
 * The main side of the IPC contract on top of the engine and game detection. One instance serves every
 * UI attached to it: the dashboard's WebSocket clients or the Electron window. It only wires the contract
 * to its parts, one concept each: the settings (`settings-service.ts`), the relay sources
 * (`relay-sources.ts`), the game Library (`library.ts`), the boost session (`boost-session.ts`) and
 * diagnose (`diagnose-service.ts`).
 */
import {
  DEFAULT_SETTINGS,
  type AppInfo,
  type AppSnapshot,
  type GameView,
  type LightspeedHandlers,
  type LightspeedNotifier,
  type SessionInfo,
  type SessionSummary,
  type Settings,
} from '@lightspeed/shared';

import { BoostSession } from './boost-session.js';
import { DiagnoseService } from './diagnose-service.js';
import { Library } from './library.js';
import type { RegistryLocation } from './default-registry.js';
import type { EngineFactory, GamesProvider } from './ports.js';
import { RegistryCache } from './registry-cache.js';
import type { RegisterRelays } from './relay-registration.js';
import { RelaySources } from './relay-sources.js';
import { SettingsService } from './settings-service.js';

export { RECENT_SESSIONS } from './boost-session.js';

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
  /** The relay registry the app ships (`defaultRegistryFromEnv`); absent or null: none. */
  defaultRegistry?: RegistryLocation | null;
  /** Where registries' last good copies are kept (absent: not kept). */
  registryCacheFile?: string;
  /** Bound on one registry fetch (default 5 s). */
  registryTimeoutMs?: number;
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

export class LightspeedBackend {
  /** The contract's handlers; give them to `createDispatcher`. */
  readonly handlers: LightspeedHandlers;
  readonly settings: SettingsService;
  readonly library: Library;
  readonly relays: RelaySources;
  readonly session: BoostSession;
  readonly diagnose: DiagnoseService;

  constructor(private readonly o: BackendOptions) {
    const now = o.now ?? Date.now;
    const { notify } = o;
    this.settings = new SettingsService({
      initial: o.settings ?? DEFAULT_SETTINGS,
      notify,
      ...(o.saveSettings ? { save: o.saveSettings } : {}),
    });
    // Settings listeners run in this order: the Library, then the relay sources.
    this.library = new Library({
      games: o.games,
      settings: this.settings,
      notify,
      ...(o.extraGames ? { extraGames: o.extraGames } : {}),
      now,
    });
    this.relays = new RelaySources({
      settings: this.settings,
      notify,
      createEngine: o.createEngine,
      sessionEngine: () => this.session.currentEngine,
      defaultRegistry: o.defaultRegistry ?? null,
      registryCache: o.registryCacheFile === undefined ? null : new RegistryCache(o.registryCacheFile),
      ...(o.registryTimeoutMs === undefined ? {} : { registryTimeoutMs: o.registryTimeoutMs }),
      now,
    });
    this.session = new BoostSession({
      ...o,
      settings: this.settings,
      library: this.library,
      relays: this.relays,
      now,
      historyLength: o.historyLength ?? 300,
    });
    this.diagnose = new DiagnoseService({
      relays: () => this.relays.current(),
      ...(o.registerRelays ? { registerRelays: o.registerRelays } : {}),
    });
    this.handlers = {
      state: { get: () => this.snapshot() },
      boost: { start: (req) => this.session.start(req), stop: () => this.session.stop() },
      relays: { probe: () => this.relays.probe(), pin: (req) => this.relays.pin(req.relayId) },
      games: {
        refresh: () => this.library.refresh(),
        addServer: (req) => this.library.addServer(req),
        removeServer: (req) => this.library.removeServer(req),
      },
      diagnose: { run: (req) => this.diagnose.run(req) },
      settings: { get: () => this.settings.get(), set: (patch) => this.settings.set(patch) },
    };
  }

  /** Loads the relay list (registry if configured), detects games and probes relays; failures are not fatal. */
  async init(): Promise<void> {
    await this.relays.reload().catch(() => {});
    await Promise.all([this.library.refresh().catch(() => null), this.relays.probe().catch(() => null)]);
  }

  /** Everything the UI starts from. */
  snapshot(): AppSnapshot {
    return {
      app: this.o.app,
      boost: this.session.status(),
      stats: this.session.stats,
      statsHistory: this.session.history,
      relays: this.relays.view(),
      settings: this.settings.get(),
      games: this.library.view(),
      catalog: this.library.catalogView(),
    };
  }

  /** Stops any session; the backend stays usable. */
  async close(): Promise<void> {
    await this.session.close();
  }
}
