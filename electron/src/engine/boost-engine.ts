/**
 * The boost engine: a flow source in (redirect ports, or capture), one relay link out, FEC on every flow,
 * keepalive-driven health, failover down the selector's ranking. One class, one event stream; the CLI, the tests and the desktop
 * app all drive this same code (it never imports `electron`).
 */
import {
  canTransition,
  parseHostPort,
  type BoostRequest,
  type BoostState,
  type BoostStats,
  type CaptureStatus,
  type DirectComparison,
  type EngineEvent,
  type EngineRoute,
  type RelayEndpoint,
  type RelayProbe,
  type RelayRef,
  type WarpState,
} from '@lightspeed/shared';

import type { ProcessInfo } from '@lightspeed/games';

import { validateBoostRequest } from './boost-request.js';
import type { CaptureBackend } from './capture/capture-backend.js';
import { CaptureSource } from './capture/capture-source.js';
import { platformCaptureBackend } from './capture/platform-backend.js';
import { capturedServer, withServerRegion } from './capture-server.js';
import { nowMs } from './clock.js';
import { newCounters, type EngineCounters } from './counters.js';
import { DirectWatch } from './direct-watch.js';
import { engineTimings, type EngineOptions, type EngineTimings } from './engine-options.js';
import { buildStats } from './engine-stats.js';
import type { FlowSource } from './flow-source.js';
import { defaultProcessList } from './process-list.js';
import { RedirectSource } from './redirect-source.js';
import { pickNext, unprobed } from './relay-choice.js';
import { RelayLink, type GameKey } from './relay-link.js';
import { resolveIpv4, type ResolvedEndpoint } from './resolve.js';
import { selectorExtras, sessionFeedback } from './route-learning.js';
import { RouteWatch, type ExploreMode } from './route-watch.js';
import { SessionTally } from './session-tally.js';
import {
  NearestSelector,
  defaultSelectorContext,
  type RankedRelay,
  type RouteSelector,
  type SelectorContext,
} from './route-selector.js';

type Listener = (event: EngineEvent) => void;

export class BoostEngine {
  private readonly o: EngineTimings;
  private readonly selector: RouteSelector;
  private readonly selectorContext: SelectorContext;
  private readonly listeners = new Set<Listener>();
  private state: BoostState = { state: 'idle' };
  private request: BoostRequest | null = null;
  private readonly captureBackend: () => CaptureBackend;
  private readonly rerankMs: number | undefined;
  private readonly explore: ExploreMode;
  private readonly directOptions: { everyMs?: number; warp?: () => Promise<WarpState> } | false;
  private direct: DirectWatch | null = null;
  /** The (first) route's game server, resolved: what relays are asked their leg to. */
  private server: ResolvedEndpoint | null = null;
  private watch: RouteWatch | null = null;
  private lastPayload: Uint8Array | null = null;
  private learning: Promise<void> = Promise.resolve();
  /** The running session's totals for its summary (session-tally.ts). */
  private tally: SessionTally | null = null;
  private readonly listProcesses: (pids?: readonly number[]) => Promise<ProcessInfo[]>;
  private source: FlowSource | null = null;
  private redirect: RedirectSource | null = null;
  private capture: CaptureSource | null = null;
  private link: RelayLink | null = null;
  private ranking: RankedRelay[] = [];
  private readonly failedAt = new Map<string, number>();
  private counters: EngineCounters = newCounters();
  private prev: EngineCounters = newCounters();
  private statsTimer: NodeJS.Timeout | null = null;
  private lastStats: BoostStats | null = null;
  /** Last time any relay answered (monotonic ms); see giveUpIfUnreachable. */
  private lastAliveMs = 0;
  /** Bumped by stop(): async work from an older run sees the change and backs out. */
  private generation = 0;

  constructor(options: EngineOptions = {}) {
    this.o = engineTimings(options);
    this.selector = options.selector ?? new NearestSelector(options.probe);
    this.selectorContext = options.selectorContext ?? defaultSelectorContext;
    this.rerankMs = options.rerankMs;
    this.explore = options.explore ?? 'probe';
    this.directOptions = options.direct ?? {};
    this.captureBackend = options.captureBackend ?? (() => platformCaptureBackend());
    this.listProcesses = options.listProcesses ?? defaultProcessList();
  }

  /** Subscribes to state, stats, failover and relay-ranking events; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getState(): BoostState {
    return this.state;
  }

  getStats(): BoostStats | null {
    return this.lastStats;
  }

  /** The redirect ports as bound (a requested port of 0 shows the port actually chosen); none in capture. */
  getRoutes(): EngineRoute[] {
    return this.redirect?.boundRoutes() ?? [];
  }

  /** Capture mode's status (processes, ports, servers found), or null in redirect mode. */
  getCapture(): CaptureStatus | null {
    return this.capture?.status() ?? null;
  }

  /** The latest relay ranking (from start-up or `probe()`), best first; empty before any. */
  getRanking(): RelayProbe[] {
    return this.ranking.map(({ endpoint: _endpoint, ...probe }) => probe);
  }

  /** The relay currently carrying traffic, if any. */
  currentRelay(): RelayRef | null {
    return this.link?.o.ref ?? null;
  }

  /** Ranks relays with the selector (keepalive probes) and publishes the ranking as a 'relays' event. */
  async probe(relays: RelayEndpoint[]): Promise<RelayProbe[]> {
    const ranked = await this.selector.rank(relays, { ...this.selectorContext, ...this.ctxExtras() });
    // While idle getRanking() reports this probe; a running session keeps the ranking it fails over along.
    if (this.link === null) this.ranking = ranked;
    this.emit({ type: 'relays', relays: ranked });
    return ranked;
  }

  /**
   * Binds the redirect ports, ranks the relays (when there is a choice) and connects to the best.
   * Resolves once traffic can flow; rejects (and enters 'error') on a bad request or a port in use.
   * `afterBind` runs once the local ports listen and before any relay is contacted (the CLI registers
   * with the control plane there and may set `request.token` and the relays' tokens); if it throws,
   * start rejects with its error.
   */
  async start(request: BoostRequest, hooks: { afterBind?: () => Promise<void> } = {}): Promise<void> {
    const s = this.state.state;
    if (s !== 'idle' && s !== 'stopped' && s !== 'error') throw new Error(`engine is already running (${s})`);
    const problem = validateBoostRequest(request);
    if (problem !== null) throw new RangeError(problem);
    const gen = ++this.generation;
    this.request = request;
    this.counters = newCounters();
    this.prev = newCounters();
    this.lastStats = null;
    this.tally = new SessionTally();
    this.failedAt.clear();
    this.server = null;
    this.lastAliveMs = nowMs();
    try {
      if (request.capture === undefined) {
        const servers = await Promise.all(
          request.routes.map((r) => {
            const hp = parseHostPort(r.server)!;
            return resolveIpv4(hp.host, hp.port);
          }),
        );
        this.redirect = new RedirectSource(
          request.routes.map((r, i) => ({
            server: servers[i]!,
            label: r.server,
            localPort: r.localPort ?? 0,
          })),
        );
        this.source = this.redirect;
        this.server = servers[0] ?? null;
        await this.redirect.open((key, payload) => this.onGamePacket(key, payload));
      }
      if (gen !== this.generation) return;
      if (hooks.afterBind !== undefined) {
        await hooks.afterBind();
        if (gen !== this.generation) return;
      }
      if (request.relays.length > 1) {
        this.setState({ state: 'probing', relays: request.relays.length });
        this.ranking = await this.selector.rank(request.relays, {
          ...this.selectorContext,
          ...this.ctxExtras(),
        });
        if (gen !== this.generation) return;
        this.emit({ type: 'relays', relays: this.ranking });
      } else {
        this.ranking = request.relays.map((endpoint) => unprobed(endpoint));
      }
      this.statsTimer = setInterval(() => this.publishStats(), this.o.statsIntervalMs);
      await this.connectTo(this.ranking[0]!, gen);
      if (gen === this.generation) {
        this.startWatch(request);
        this.startDirect(request);
      }
      // Capture diverts the game's traffic: only once a relay link exists, so nothing is black-holed early.
      if (request.capture !== undefined && gen === this.generation) await this.openCapture(request, gen);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await this.teardown();
      if (gen === this.generation) this.setState({ state: 'error', reason });
      throw err;
    }
  }

  /** Stops the session: FIN to the relay, every socket and timer closed. */
  async stop(reason = 'stopped by user'): Promise<void> {
    this.generation++;
    this.learnFromSession();
    const tally = this.tally;
    this.tally = null;
    if (tally !== null && this.direct !== null) tally.direct = this.direct.totals();
    await this.teardown();
    // The summary comes just before 'stopped' (boost --json prints it there; the UI keeps it).
    if (tally !== null && tally.relays.length > 0) this.emit({ type: 'summary', summary: tally.summary() });
    if (this.state.state !== 'stopped') this.setState({ state: 'stopped', reason });
    // Let the FIN datagrams and socket closes drain before callers tear down the loopback peers.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private ctxExtras(): Partial<SelectorContext> {
    return selectorExtras(this.request, this.server);
  }

  /** Why the selector ranked as it did (e.g. the learned one falling back to nearest), when it says. */
  selectorNote(): string | null {
    return this.selector.note ?? null;
  }

  /** Resolves when what the selector learns from the last session is saved (retraining included). */
  learned(): Promise<void> {
    return this.learning;
  }

  private startWatch(request: BoostRequest): void {
    const every = this.rerankMs ?? (this.selector.name === 'ml' ? 2000 : 0);
    const server = this.server;
    if (every <= 0 || server === null || request.relays.length < 2) return;
    this.watch = new RouteWatch({
      selector: this.selector,
      context: { ...this.selectorContext, ...this.ctxExtras() },
      relays: request.relays,
      server,
      intervalMs: every,
      explore: this.explore,
      current: () => this.link?.o.ref.id ?? null,
      lastPayload: () => this.lastPayload,
      token: (endpoint) => endpoint.token ?? request.token ?? 0,
      onRanking: (ranked) => this.emit({ type: 'relays', relays: ranked }),
      onBetter: (to, reason) => this.moveTo(to, reason),
    });
    this.watch.start();
  }

  /** Moves every flow to a better relay (not a failure: the old one gets a FIN and no hold-down). */
  private moveTo(to: RankedRelay, reason: string): void {
    const link = this.link;
    if (link === null || this.state.state !== 'active') return;
    const gen = this.generation;
    const from = link.o.ref;
    if (this.watch !== null) this.ranking = this.watch.latest;
    this.setState({ state: 'failing-over', from, to: to.relay, reason });
    this.emit({ type: 'failover', from, to: to.relay, reason });
    link.close();
    this.link = null;
    this.connectTo(to, gen).catch((err: unknown) => {
      if (gen !== this.generation) return;
      this.setState({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Tells the selector what the session's relay gave end to end (its RTT + its reported leg), if known. */
  private learnFromSession(): void {
    if (this.selector.feedback === undefined) return;
    const feedback = sessionFeedback(this.watch?.latest, this.link?.o.ref.id, this.request, this.server);
    if (feedback === null) return;
    this.learning = this.selector.feedback(feedback).catch(() => undefined);
  }

  /** Starts the live direct-vs-relay comparison for the session's game server (direct-watch.ts). */
  private startDirect(request: BoostRequest): void {
    const server = this.server;
    if (this.directOptions === false || server === null || this.direct !== null) return;
    const label = request.routes[0]?.server ?? `${server.address}:${server.port}`;
    this.direct = new DirectWatch({
      server,
      label,
      ...this.directOptions,
      relay: () => {
        const id = this.link?.o.ref.id;
        const endpoint = this.ranking.find((r) => r.relay.id === id)?.endpoint;
        if (id === undefined || endpoint === undefined) return null;
        return { id, endpoint: { ...endpoint, token: endpoint.token ?? request.token ?? 0 } };
      },
      onUpdate: (direct) => this.emit({ type: 'direct', direct }),
    });
    this.direct.start();
  }

  /** The live direct-vs-relay comparison, once a round has run (null before, or with none running). */
  getDirect(): DirectComparison | null {
    return this.direct?.latest ?? null;
  }

  private async teardown(): Promise<void> {
    this.direct?.stop();
    this.direct = null;
    this.watch?.stop();
    this.watch = null;
    this.lastPayload = null;
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.link?.close();
    this.link = null;
    const source = this.source;
    this.source = null;
    this.redirect = null;
    this.capture = null;
    await source?.close();
  }

  /** Starts capture: the relays are never captured; the game's servers are found from its traffic. */
  private async openCapture(request: BoostRequest, gen: number): Promise<void> {
    const resolved = await Promise.allSettled(request.relays.map((r) => resolveIpv4(r.host, r.port)));
    const relayAddresses = resolved.flatMap((r) => (r.status === 'fulfilled' ? [r.value.address] : []));
    const capture = new CaptureSource({
      backend: this.captureBackend(),
      spec: request.capture!,
      relayAddresses,
      listProcesses: this.listProcesses,
      idleMs: this.o.flowIdleMs,
      onStatus: (status) => {
        this.emit({
          type: 'capture',
          capture: withServerRegion(status, this.server, this.watch?.latest ?? this.ranking),
        });
        // Capture learns its server from the game's traffic: from then on the selector can weigh each
        // relay's leg to it, as it does in redirect mode from the start.
        if (this.server === null && gen === this.generation) {
          const server = capturedServer(status);
          if (server !== null) {
            this.server = server;
            this.startWatch(request);
            this.startDirect(request);
          }
        }
      },
      onError: (err) => {
        if (gen !== this.generation) return;
        this.generation++;
        void this.teardown().then(() =>
          this.setState({ state: 'error', reason: `capture failed: ${err.message}` }),
        );
      },
    });
    this.capture = capture;
    this.source = capture;
    await capture.open((key, payload) => this.onGamePacket(key, payload));
  }

  private async connectTo(candidate: RankedRelay, gen: number): Promise<void> {
    const req = this.request!;
    const ref = candidate.relay;
    let resolved: ResolvedEndpoint;
    try {
      resolved = await resolveIpv4(candidate.endpoint.host, candidate.endpoint.port);
    } catch (err) {
      if (gen !== this.generation) return;
      this.failover(
        ref,
        `cannot resolve ${ref.address}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (gen !== this.generation) return;
    this.setState({ state: 'connecting', relay: ref });
    this.tally?.useRelay(ref.id);
    const link: RelayLink = new RelayLink(
      {
        relay: resolved,
        ref,
        fecK: req.fecK,
        fecBudget: req.fecAdaptive ?? null,
        token: candidate.endpoint.token ?? req.token ?? 0,
        keepaliveMs: this.o.keepaliveMs,
        fecFlushMs: this.o.fecFlushMs,
        counters: this.counters,
      },
      {
        onAlive: () => this.onAlive(link),
        onMiss: (n) => this.onMiss(link, n),
        onRelayFin: () => {
          if (link === this.link) this.failover(link.o.ref, 'relay closed the session (FIN)');
        },
      },
    );
    this.link = link;
    await link.open();
  }

  private onAlive(link: RelayLink): void {
    if (link !== this.link) return;
    const s = this.state.state;
    if (s === 'connecting' || s === 'degraded' || s === 'failing-over') {
      this.setState({ state: 'active', relay: link.o.ref, sinceMs: Date.now() });
    }
  }

  private onMiss(link: RelayLink, consecutive: number): void {
    if (link !== this.link) return;
    if (consecutive >= this.o.missesForFailover) {
      this.failover(link.o.ref, `${consecutive} keepalives in a row unanswered`);
      return;
    }
    if (this.state.state === 'active' || this.state.state === 'degraded') {
      this.setState({
        state: 'degraded',
        relay: link.o.ref,
        reason: `${consecutive} keepalive${consecutive === 1 ? '' : 's'} unanswered`,
      });
    }
  }

  /** Leaves `from` for the next-best relay; with no other relay, keeps trying `from`. */
  private failover(from: RelayRef, reason: string): void {
    const gen = this.generation;
    this.failedAt.set(from.id, nowMs());
    const next = pickNext(this.ranking, this.failedAt, from.id, nowMs(), this.o.holdDownMs);
    if (next === null) {
      if (this.state.state === 'failing-over') return; // already said so; keep listening for it to return
      this.setState({ state: 'failing-over', from, to: null, reason });
      this.emit({ type: 'failover', from, to: null, reason });
      return;
    }
    this.setState({ state: 'failing-over', from, to: next.relay, reason });
    this.emit({ type: 'failover', from, to: next.relay, reason });
    this.link?.close(true);
    this.link = null;
    this.connectTo(next, gen).catch((err: unknown) => {
      if (gen !== this.generation) return;
      this.setState({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
    });
  }

  private onGamePacket(key: GameKey, payload: Uint8Array): void {
    if (this.watch !== null && key.server.ip === this.server?.ip && key.server.port === this.server.port)
      this.lastPayload = payload;
    const cached = key.flow;
    if (cached !== null && !cached.closed) {
      cached.send(payload);
      return;
    }
    const link = this.link;
    if (link === null) return;
    key.flow = link.flowFor(key);
    key.flow.send(payload);
  }

  private publishStats(): void {
    const link = this.link;
    const c = this.counters;
    const p = this.prev;
    const flows = link?.flowList() ?? [];
    for (const f of flows) f.tick();
    link?.reapIdle(this.o.flowIdleMs);
    this.source?.tick();
    const ka = link?.keepalives.takeInterval() ?? { answered: 0, missed: 0, rtts: [] };
    this.giveUpIfUnreachable(link);
    const { stats, interval } = buildStats({
      atMs: Date.now(),
      link,
      flows,
      rtts: ka.rtts,
      counters: c,
      prev: p,
      fec: (this.request?.fecK ?? 0) !== 0 || this.request?.fecAdaptive !== undefined,
    });
    this.tally?.add(interval);
    for (const f of flows) f.repliesThisInterval = 0;
    this.prev = { ...c };
    this.lastStats = stats;
    this.emit({ type: 'stats', stats });
  }

  /**
   * Honest end: when no relay has answered anything for `giveUpMs` (every relay unreachable, or the
   * network gone), the session ends in a clear error instead of "switching relay" forever.
   */
  private giveUpIfUnreachable(link: RelayLink | null): void {
    const now = nowMs();
    if (link?.alive === true) {
      this.lastAliveMs = now;
      return;
    }
    const s = this.state.state;
    if (s !== 'connecting' && s !== 'failing-over' && s !== 'degraded') return;
    if (now - this.lastAliveMs < this.o.giveUpMs) return;
    const tried = this.ranking.map((r) => r.relay.id).join(', ');
    const reason = `no relay answered for ${Math.round(this.o.giveUpMs / 1000)} s (tried ${tried}): check the relay addresses and your connection`;
    this.generation++;
    void this.teardown().then(() => this.setState({ state: 'error', reason }));
  }

  private setState(next: BoostState): void {
    const from = this.state.state;
    if (from !== next.state && !canTransition(from, next.state)) return;
    this.state = next;
    this.emit({ type: 'state', state: next });
  }

  private emit(event: EngineEvent): void {
    if (event.type === 'failover' && event.to !== null && this.tally !== null) this.tally.failovers++;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken subscriber must not break the packet path
      }
    }
  }
}
