/**
 * The boost session behind the contract: starting and stopping it (target, relay choice, registration, the
 * engine), turning the engine's events into notifications, the stats history for a reloaded UI, and the
 * last sessions' summaries.
 */
import {
  IpcError,
  fecRequestForLevel,
  relayRef,
  type BoostStartRequest,
  type BoostStartResult,
  type BoostState,
  type BoostStats,
  type BoostStatus,
  type EngineEvent,
  type LightspeedNotifier,
  type SessionInfo,
  type SessionSummary,
} from '@lightspeed/shared';

import type { Library } from './library.js';
import type { EngineFactory, EngineLike } from './ports.js';
import type { RelaySources } from './relay-sources.js';
import { registerWithRelays, type RegisterRelays, type Registration } from './relay-registration.js';
import type { SettingsService } from './settings-service.js';

/** Session summaries kept (and shown in the UI). */
export const RECENT_SESSIONS = 50;

export interface BoostSessionOptions {
  settings: SettingsService;
  library: Library;
  relays: RelaySources;
  notify: LightspeedNotifier;
  createEngine: EngineFactory;
  /** Makes the engine of a capture-mode session (default: `createEngine`). */
  createCaptureEngine?: EngineFactory;
  /** Gets each relay's session token from its control plane (default: `registerWithRelays`). */
  registerRelays?: RegisterRelays;
  /** The last sessions' summaries to start from (newest first), and where to keep them after each session. */
  sessions?: SessionSummary[];
  saveSessions?: (sessions: SessionSummary[]) => Promise<void>;
  /** Called once a session carries traffic (the demo starts its simulated game here). */
  onSessionStart?: (session: SessionInfo) => void | Promise<void>;
  /** Called when a session ends for any reason. */
  onSessionEnd?: () => void | Promise<void>;
  now: () => number;
  /** Stats samples kept for a reloaded UI. */
  historyLength: number;
}

interface Target {
  gameId: string | null;
  name: string;
  server: string;
  wireGameId: number | null;
}

const RUNNING: ReadonlySet<BoostState['state']> = new Set([
  'probing',
  'connecting',
  'active',
  'degraded',
  'failing-over',
]);

export class BoostSession {
  private engine: EngineLike | null = null;
  private registration: Registration | null = null;
  private unsubscribe: (() => void) | null = null;
  private recent: SessionSummary[];
  private state: BoostState = { state: 'idle' };
  private session: SessionInfo | null = null;
  private starting = false;
  private latest: BoostStats | null = null;
  private samples: BoostStats[] = [];

  constructor(private readonly o: BoostSessionOptions) {
    this.recent = (o.sessions ?? []).slice(0, RECENT_SESSIONS);
  }

  status(): BoostStatus {
    return { state: this.state, session: this.session, recent: this.recent };
  }

  /** The latest stats sample (null before the first of a session). */
  get stats(): BoostStats | null {
    return this.latest;
  }

  /** The session's stats samples, oldest first, for a reloaded UI. */
  get history(): BoostStats[] {
    return this.samples;
  }

  /** The running session's engine (null outside a session). */
  get currentEngine(): EngineLike | null {
    return this.engine;
  }

  async start(req: BoostStartRequest): Promise<BoostStartResult> {
    if (this.starting || RUNNING.has(this.state.state)) {
      throw new IpcError('busy', `a boost session is already ${this.state.state}; stop it first`);
    }
    this.starting = true;
    try {
      const capture = await this.captureTarget(req);
      const { gameId, name, server, wireGameId } = capture ?? this.resolveTarget(req);
      const pinnedId = this.o.relays.pinned;
      const relayChoice =
        req.relay ??
        (pinnedId === null ? { kind: 'auto' as const } : { kind: 'pin' as const, relayId: pinnedId });
      let candidates = await this.o.relays.current();
      if (candidates.length === 0)
        throw new IpcError('no-relays', 'no relays configured: add one in Settings');
      if (relayChoice.kind === 'pin') {
        const pinned = candidates.find((e) => relayRef(e).id === relayChoice.relayId);
        if (!pinned)
          throw new IpcError('not-found', `relay '${relayChoice.relayId}' is not in the relay list`);
        candidates = [pinned];
      }

      await this.disposeEngine();
      const settings = this.o.settings.get();
      const factory =
        capture === null ? this.o.createEngine : (this.o.createCaptureEngine ?? this.o.createEngine);
      // Both modes: capture passes the mesh settings on to its helper.
      const mesh =
        settings.meshExit !== 'off' ? { exit: settings.meshExit, multipath: settings.multipath } : undefined;
      const engine = factory({
        keepaliveMs: settings.keepaliveIntervalMs,
        selector: settings.routeSelector,
        ...(mesh && { mesh }),
      });
      this.engine = engine;
      this.unsubscribe = engine.subscribe((event) => this.onEngineEvent(engine, event));
      this.latest = null;
      this.samples = [];
      this.session = { gameId, name, server, routes: [], relayChoice, startedAtMs: this.o.now() };
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
          ...fecRequestForLevel(settings.fecLevel),
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
      this.refreshMesh(engine);
      this.state = engine.getState();
      this.publishStatus();
      // A failing hook (the demo's simulated game) must not undo a session that carries traffic.
      await hook(this.o.onSessionStart, this.session);
      return { routes: this.session.routes };
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<undefined> {
    const hadSession = this.engine !== null;
    await this.disposeEngine();
    this.session = null;
    this.state = { state: 'idle' };
    this.publishStatus();
    if (hadSession) await hook(this.o.onSessionEnd);
    return undefined;
  }

  /** Stops any session. */
  async close(): Promise<void> {
    if (this.engine) await this.stop();
  }

  private publishStatus(): void {
    this.o.notify.boost.state(this.status());
  }

  /** Keeps a finished session's summary (the last 50, newest first) and saves the list. */
  private remember(summary: SessionSummary): void {
    this.recent = [summary, ...this.recent].slice(0, RECENT_SESSIONS);
    void this.o.saveSessions?.(this.recent).catch(() => undefined);
  }

  /**
   * Capture mode's one-click Boost: a running catalogued game needs no address, its servers are found from
   * its traffic. Null when the request is for redirect mode (redirect settings, or an explicit server).
   */
  private async captureTarget(req: BoostStartRequest): Promise<(Target & { gameId: string }) | null> {
    if (
      this.o.settings.get().mode !== 'capture' ||
      req.target.kind !== 'game' ||
      req.target.server !== undefined
    )
      return null;
    const id = req.target.gameId;
    const entry = this.o.library.catalog.find((c) => c.id === id);
    // Not catalogued: capture has no process name to look for; redirect mode still works.
    if (!entry) return null;
    const running = (): boolean => this.o.library.view().games.find((g) => g.id === id)?.running === true;
    // The game may have started since the last scan: look again before saying it is not running.
    if (!running()) await this.o.library.refresh().catch(() => null);
    if (!running()) {
      throw new IpcError(
        'not-running',
        `${entry.name} is not running: start the game, then Boost — capture mode follows its own traffic`,
      );
    }
    return { gameId: id, name: entry.name, server: '', wireGameId: entry.wireGameId };
  }

  private resolveTarget(req: BoostStartRequest): Target {
    if (req.target.kind === 'server') {
      return {
        gameId: null,
        name: req.target.name ?? req.target.server,
        server: req.target.server,
        wireGameId: null,
      };
    }
    const id = req.target.gameId;
    const game = this.o.library.view().games.find((g) => g.id === id);
    if (!game) throw new IpcError('not-found', `no game '${id}' in the Library`);
    const server = req.target.server ?? game.servers[0];
    if (server === undefined) {
      throw new IpcError(
        'needs-server',
        `${game.name} has no game server yet: add its address (host:port) to boost it in redirect mode`,
      );
    }
    const wireGameId = this.o.library.catalog.find((c) => c.id === id)?.wireGameId ?? null;
    return { gameId: id, name: game.name, server, wireGameId };
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

  /** Puts a mesh engine's route in the session; true when it changed. */
  private refreshMesh(engine: EngineLike): boolean {
    const mesh = engine.meshRoute?.() ?? null;
    if (this.session === null || mesh === null) return false;
    if (JSON.stringify(mesh) === JSON.stringify(this.session.mesh)) return false;
    this.session = { ...this.session, mesh };
    return true;
  }

  private onEngineEvent(engine: EngineLike, event: EngineEvent): void {
    if (engine !== this.engine) return;
    // The mesh route changes with failovers and moves; it rides on the status.
    if (event.type !== 'state' && this.refreshMesh(engine)) this.publishStatus();
    switch (event.type) {
      case 'state': {
        const wasRunning = RUNNING.has(this.state.state);
        this.state = event.state;
        this.refreshMesh(engine);
        this.publishStatus();
        // The engine gave up by itself (every relay failed, or an error): the session is over.
        if (wasRunning && (event.state.state === 'stopped' || event.state.state === 'error'))
          void hook(this.o.onSessionEnd);
        break;
      }
      case 'stats':
        this.latest = event.stats;
        this.samples.push(event.stats);
        if (this.samples.length > this.o.historyLength)
          this.samples.splice(0, this.samples.length - this.o.historyLength);
        this.o.notify.boost.stats(event.stats);
        break;
      case 'relays':
        this.o.relays.record(event.relays);
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
      case 'direct':
        // The live "without LightSpeed → with" line of the Session view.
        if (this.session === null) break;
        this.session = { ...this.session, direct: event.direct };
        this.publishStatus();
        break;
      case 'failover':
        break;
      case 'summary':
        this.remember(event.summary);
        break;
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
