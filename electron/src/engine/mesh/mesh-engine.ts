/**
 * The mesh boost behind the engine's interface (what the desktop app, the dashboard and the capture
 * helper drive): one redirect route, or capture mode (the game's own traffic, its servers found in it),
 * through MeshBoost, with the engine's state, stats and summary events and the mesh route
 * for the Session view (`meshRoute()`). Stats: the active entry's keepalive RTT (EWMA) and keepalive loss,
 * the loss coming down from gaps in the exit's sequence (after the client leg's FEC), packet counts; no
 * jitter, bytes or direct comparison yet. With `exit: 'auto'` and no entry that is a mesh node (every deployed
 * relay) it hands the whole session to the single-relay engine `fallback` makes, unchanged.
 */
import {
  canTransition,
  parseHostPort,
  type BoostRequest,
  type BoostState,
  type BoostStats,
  type EngineEvent,
  type EngineRoute,
  type MeshPathView,
  type MeshRouteView,
  type RelayEndpoint,
  type RelayProbe,
  type RelayRef,
} from '@lightspeed/shared';

import type { ProcessInfo } from '@lightspeed/games';

import { defaultProcessList } from '../process-list.js';
import type { CaptureBackend } from '../capture/capture-backend.js';
import { CaptureSource } from '../capture/capture-source.js';
import { platformCaptureBackend } from '../capture/platform-backend.js';
import { resolveIpv4, type ResolvedEndpoint } from '../resolve.js';
import type { SessionEngine } from '../session-engine.js';
import { SessionTally } from '../session-tally.js';
import { askExits } from './exit-choice.js';
import { MeshBoost, NotAMeshError } from './mesh-boost.js';
import type { MeshEntry } from './mesh-session.js';

export interface MeshEngineOptions {
  /** The exit's node id, or 'auto'. */
  exit: string;
  multipath: boolean;
  keepaliveMs: number;
  /** The single-relay engine (for probes, and for the session when no entry is a mesh node). */
  fallback: () => SessionEngine;
  /** Capture mode's platform backend (default: this OS's). */
  captureBackend?: () => CaptureBackend;
  /** The process list capture resolves its target in (default: this OS's). */
  listProcesses?: (pids?: readonly number[]) => Promise<ProcessInfo[]>;
  /** Game sockets silent this long lose their mesh session. Default 120 s. */
  flowIdleMs?: number;
}

type Listener = (event: EngineEvent) => void;

export class MeshEngine {
  private readonly listeners = new Set<Listener>();
  private state: BoostState = { state: 'idle' };
  private boost: MeshBoost | null = null;
  private single: SessionEngine | null = null;
  private routes: EngineRoute[] = [];
  private stats: BoostStats | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Entry `host:port` → [entry node, …, exit], from the entries' EXITS answers. */
  private readonly paths = new Map<string, string[]>();
  private lastActive = '';
  private tally: SessionTally | null = null;

  constructor(private readonly o: MeshEngineOptions) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getState(): BoostState {
    return this.single?.getState() ?? this.state;
  }

  getStats(): BoostStats | null {
    return this.single?.getStats() ?? this.stats;
  }

  getRoutes(): EngineRoute[] {
    return this.single?.getRoutes() ?? this.routes;
  }

  currentRelay(): RelayRef | null {
    if (this.single !== null) return this.single.currentRelay();
    const first = this.boost?.stats().active[0];
    return first === undefined ? null : this.ref(first);
  }

  probe(relays: RelayEndpoint[]): Promise<RelayProbe[]> {
    return (this.single ?? this.o.fallback()).probe(relays);
  }

  /** The mesh route for the Session view; null when the session went through one relay. */
  meshRoute(): MeshRouteView | null {
    const b = this.boost;
    if (b === null || this.single !== null) return null;
    const s = b.stats();
    const active =
      s.active.length > 0
        ? s.active
        : b
            .entryList()
            .slice(0, this.o.multipath ? 2 : 1)
            .map((e) => e.name);
    const paths: MeshPathView[] = active.map((name) => {
      const route = this.paths.get(name) ?? [name, '…', b.exit];
      return { entry: route[0]!, route };
    });
    return {
      exit: b.exit,
      why: b.exitChoice?.why ?? null,
      multipath: this.o.multipath,
      paths,
      failovers: s.failovers,
      moves: s.moves,
    };
  }

  async start(request: BoostRequest): Promise<void> {
    const route = request.routes[0];
    const server = route === undefined ? null : parseHostPort(route.server);
    if (
      request.capture === undefined ? server === null || request.routes.length !== 1 : route !== undefined
    ) {
      throw new RangeError(
        'a mesh boost carries one redirect route (host:port), or capture mode and no route',
      );
    }
    const first = request.relays[0];
    if (first === undefined) throw new RangeError('a mesh boost needs at least one entry relay');
    this.setState({ state: 'connecting', relay: this.refOf(first) });
    const entries = request.relays.map((r) => ({
      host: r.host,
      port: r.port,
      token: r.token ?? request.token,
    }));
    const source = request.capture === undefined ? undefined : await this.captureSource(request);
    const boost = new MeshBoost({
      ...(server !== null && { server }),
      ...(source !== undefined && { source }),
      entries,
      exit: this.o.exit,
      ...(route?.localPort !== undefined && route.localPort !== 0 && { localPort: route.localPort }),
      keepaliveMs: this.o.keepaliveMs,
      multipath: this.o.multipath,
      ...(this.o.flowIdleMs !== undefined && { idleMs: this.o.flowIdleMs }),
      // Capture learns its server from the traffic: the entries' routes are asked for once its exit is known.
      ...(source !== undefined && {
        onExit: (to: ResolvedEndpoint) => void this.learnPaths(boost, boost.entryList(), to),
      }),
    });
    try {
      const port = await boost.start();
      this.boost = boost;
      this.routes = route === undefined ? [] : [{ localPort: port, server: route.server }];
    } catch (err) {
      await boost.stop();
      if (!(err instanceof NotAMeshError)) {
        this.setState({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      // Not a mesh: today's single-relay session, its events passed on as they come.
      this.state = { state: 'idle' };
      const single = this.o.fallback();
      this.single = single;
      single.subscribe((e) => this.emit(e));
      await single.start(request);
      return;
    }
    if (server !== null)
      await this.learnPaths(boost, boost.entryList(), await resolveIpv4(server.host, server.port));
    this.tally = new SessionTally();
    this.tally.direct = { directMs: null, boostedMs: null, note: 'not measured through the mesh' };
    this.setState({ state: 'active', relay: this.refOf(first), sinceMs: Date.now() });
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** Capture mode's source: the entries are never captured; the game's servers are found in its traffic. */
  private async captureSource(request: BoostRequest): Promise<CaptureSource> {
    const resolved = await Promise.allSettled(request.relays.map((r) => resolveIpv4(r.host, r.port)));
    return new CaptureSource({
      backend: (this.o.captureBackend ?? platformCaptureBackend)(),
      spec: request.capture!,
      relayAddresses: resolved.flatMap((r) => (r.status === 'fulfilled' ? [r.value.address] : [])),
      listProcesses: this.o.listProcesses ?? defaultProcessList(),
      idleMs: this.o.flowIdleMs ?? 120_000,
      onStatus: (capture) => this.emit({ type: 'capture', capture }),
      onError: (err) => {
        if (this.boost === null || this.state.state === 'stopped' || this.state.state === 'error') return;
        const reason = `capture failed: ${err.message}`;
        void this.halt().then(() => this.setState({ state: 'error', reason }));
      },
    });
  }

  async stop(reason = 'stopped'): Promise<void> {
    if (this.single !== null) return this.single.stop(reason);
    await this.halt();
    const tally = this.tally;
    this.tally = null;
    // The summary comes just before 'stopped', as the single-relay engine's does.
    if (tally !== null) this.emit({ type: 'summary', summary: tally.summary() });
    if (this.state.state !== 'stopped') this.setState({ state: 'stopped', reason });
  }

  private async halt(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.boost?.stop();
  }

  /** Every entry's route to the exit, from its EXITS answer (its own node id first). */
  private async learnPaths(boost: MeshBoost, entries: MeshEntry[], server: ResolvedEndpoint): Promise<void> {
    const exit = boost.exit;
    const choice = boost.exitChoice;
    const serverIp = server.ip;
    const port = server.port;
    await Promise.all(
      entries.map(async (entry) => {
        const exits =
          choice !== null && entry === entries[0]
            ? choice.exits
            : await askExits({ entry, serverIp, serverPort: port, timeoutMs: 600 });
        const self = exits?.[0]?.node;
        const to = exits?.find((e) => e.node === exit);
        if (self === undefined) return;
        this.paths.set(entry.name, self === exit ? [exit] : [self, ...(to?.via ?? ['…']), exit]);
      }),
    );
  }

  private tick(): void {
    const b = this.boost;
    if (b === null) return;
    const s = b.stats();
    const rtt = b.rttMs();
    const relay = s.active[0] === undefined ? null : this.ref(s.active[0]);
    const kaLoss = b.keepaliveLoss() ?? 0;
    const down = b.takeDownCounts();
    // No FEC on the client leg: what the game sees is what the link lost (the keepalives' loss when no
    // reply came back this interval, so a silent entry reads as lost).
    const lossDown = down.received + down.lost > 0 ? down.lost / (down.received + down.lost) : kaLoss;
    if (relay !== null) this.tally?.useRelay(relay.id);
    if (this.tally !== null) {
      this.tally.failovers = s.failovers + s.moves;
      this.tally.add({
        rtts: rtt === null ? [] : [rtt],
        downExpected: down.received + down.lost,
        downReceived: down.received,
        fec: false,
        fecLost: 0,
        fecData: 0,
        recoveredTotal: 0,
      });
    }
    this.stats = {
      atMs: Date.now(),
      relay,
      rtt: rtt === null ? null : { min: rtt, p50: rtt, p95: rtt, last: rtt },
      jitterMs: 0,
      lossUp: kaLoss,
      lossDown,
      lossDownAfterFec: lossDown,
      fecRecovered: 0,
      packetsUp: s.sent,
      packetsDown: s.delivered,
      bytesUp: 0,
      bytesDown: 0,
      flows: s.sessions,
    };
    this.emit({ type: 'stats', stats: this.stats });
    const active = s.active.join(',');
    if (active === this.lastActive) return;
    const before = this.lastActive;
    this.lastActive = active;
    if (before === '' || s.sessions === 0) return;
    const from = this.ref(before.split(',')[0]!);
    if (relay === null) {
      if (this.state.state === 'active')
        this.setState({ state: 'degraded', relay: from, reason: 'no entry reaches the exit' });
      return;
    }
    this.emit({ type: 'failover', from, to: relay, reason: 'entry change' });
    if (canTransition(this.state.state, 'failing-over')) {
      this.setState({ state: 'failing-over', from, to: relay, reason: 'entry change' });
    }
    this.setState({ state: 'active', relay, sinceMs: Date.now() });
  }

  private ref(name: string): RelayRef {
    const node = this.paths.get(name)?.[0];
    return { id: node ?? name, address: name };
  }

  private refOf(r: RelayEndpoint): RelayRef {
    return {
      id: r.id ?? `${r.host}:${r.port}`,
      address: `${r.host}:${r.port}`,
      ...(r.region && { region: r.region }),
    };
  }

  private setState(next: BoostState): void {
    if (!canTransition(this.state.state, next.state)) return;
    this.state = next;
    this.emit({ type: 'state', state: next });
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }
}
