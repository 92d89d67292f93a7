/**
 * Keeps choosing during a session (learned selectors): every few seconds the relays are ranked again —
 * keepalive probes that also ask our relays for their measured leg to the game server — and the engine is
 * told to move when another relay is clearly better twice in a row (by 5 ms or 10%, whichever is more).
 *
 * A relay learns its leg to a server only from traffic it carries (request/response timing), so a
 * candidate that has never carried this game's traffic cannot say. Exploration gives it some: up to 5
 * datagrams (one per tick) go through each such candidate while its leg is unknown (5 more once a measured
 * leg has aged out at the relay), from a socket of their own, their replies dropped. What they are is the mode (`EngineOptions.explore`, `--explore` in the CLI):
 * - `probe` (default): diagnose's light request probe (path-probe.ts). The server sees a small foreign
 *   datagram from the relay's address, never anything of the player's; a server that answers no such
 *   probe leaves the leg unknown, and the selector weighs region and history instead.
 * - `copies`: copies of the game's latest datagram. Every game server answers those, but it then sees the
 *   player's own datagrams arrive from another relay's address — a risk with anti-cheat and with servers
 *   that follow the client's newest address. Opt in only.
 * - `off`: nothing; legs come from the relays that carry traffic.
 */
import dgram from 'node:dgram';

import { HEADER_V1_LEN, encodeHeader, type RelayEndpoint } from '@lightspeed/shared';

import { nowUs32 } from './clock.js';
import { probePayload } from './diagnose/path-probe.js';
import type { ResolvedEndpoint } from './resolve.js';
import { resolveIpv4 } from './resolve.js';
import type { RankedRelay, RouteSelector, SelectorContext } from './route-selector.js';

export const EXPLORE_MODES = ['probe', 'copies', 'off'] as const;
export type ExploreMode = (typeof EXPLORE_MODES)[number];

/** Datagrams sent through each relay whose leg is unknown, at most, per session. */
const EXPLORE_MAX = 5;

export interface RouteWatchOptions {
  selector: RouteSelector;
  context: SelectorContext;
  relays: readonly RelayEndpoint[];
  server: ResolvedEndpoint;
  /** Default 2000 ms. */
  intervalMs?: number;
  /** What goes through relays that have not measured their leg (see above). Default `probe`. */
  explore?: ExploreMode;
  /** The relay carrying traffic now (its id). */
  current: () => string | null;
  /** The game's latest datagram to this server, if any. */
  lastPayload: () => Uint8Array | null;
  token: (endpoint: RelayEndpoint) => number;
  /** Another relay is clearly better: the engine moves there. */
  onBetter: (to: RankedRelay, reason: string) => void;
  onRanking?: (ranked: RankedRelay[]) => void;
}

export class RouteWatch {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private streak: string | null = null;
  private streakCount = 0;
  private readonly copies = new Map<string, number>();
  private readonly sockets = new Map<string, dgram.Socket>();
  private seq = 0;
  /** The latest ranking (client → relay RTTs and legs as of the last tick). */
  latest: RankedRelay[] = [];

  constructor(private readonly o: RouteWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }

  /** One re-rank (exported for tests; the timer calls it). */
  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.explore();
      const ranked = await this.o.selector.rank(this.o.relays, this.o.context);
      if (this.stopped) return;
      this.latest = ranked;
      this.o.onRanking?.(ranked);
      this.judge(ranked);
    } catch {
      // a failed probe round changes nothing; the next tick tries again
    } finally {
      this.running = false;
    }
  }

  private judge(ranked: RankedRelay[]): void {
    const currentId = this.o.current();
    const top = ranked[0];
    const cur = ranked.find((r) => r.relay.id === currentId);
    if (top === undefined || cur === undefined || top.relay.id === currentId || !top.reachable) {
      this.streak = null;
      return;
    }
    const margin = Math.max(5, 0.1 * cur.score);
    if (!(top.score + margin < cur.score)) {
      this.streak = null;
      return;
    }
    this.streakCount = this.streak === top.relay.id ? this.streakCount + 1 : 1;
    this.streak = top.relay.id;
    if (this.streakCount < 2) return;
    this.streak = null;
    const est = (r: RankedRelay): string => `${(r.predictedMs ?? r.score).toFixed(0)} ms`;
    this.o.onBetter(
      top,
      `better route: ${top.relay.id} ≈ ${est(top)} end to end vs ${est(cur)} via ${cur.relay.id}`,
    );
  }

  /** Sends one datagram (a probe, or a copy of the game's) through each relay whose leg is still unknown. */
  private async explore(): Promise<void> {
    const mode = this.o.explore ?? 'probe';
    const max = mode === 'off' ? 0 : EXPLORE_MAX;
    const latest = this.o.lastPayload();
    // Only once the game talks to this server: its traffic is what the legs are compared against.
    if (max <= 0 || latest === null) return;
    const currentId = this.o.current();
    for (const endpoint of this.o.relays) {
      const ranked = this.latest.find((r) => r.endpoint === endpoint);
      if (ranked === undefined || ranked.relay.id === currentId) continue;
      // A measured leg renews the budget: when it ages out at the relay (5 min), it is measured again.
      if (ranked.serverLegMs !== undefined) this.copies.delete(ranked.relay.id);
      if (ranked.serverLegMs !== undefined || !ranked.reachable) continue;
      const sent = this.copies.get(ranked.relay.id) ?? 0;
      if (sent >= max) continue;
      this.copies.set(ranked.relay.id, sent + 1);
      const payload = mode === 'copies' ? latest : probePayload(Math.floor(Math.random() * 0x7fffffff));
      await this.sendThrough(endpoint, ranked.relay.id, payload);
    }
  }

  private async sendThrough(endpoint: RelayEndpoint, id: string, payload: Uint8Array): Promise<void> {
    let target: ResolvedEndpoint;
    try {
      target = await resolveIpv4(endpoint.host, endpoint.port);
    } catch {
      return;
    }
    let socket = this.sockets.get(id);
    if (socket === undefined) {
      const s = dgram.createSocket('udp4');
      s.on('error', () => {});
      s.on('message', () => {}); // replies are not the game's: dropped
      await new Promise<void>((resolve) => s.bind(0, resolve));
      if (this.stopped) {
        s.close();
        return;
      }
      this.sockets.set(id, s);
      socket = s;
    }
    const buf = Buffer.alloc(HEADER_V1_LEN + payload.length);
    encodeHeader(
      {
        version: 1,
        flags: 0,
        token: this.o.token(endpoint),
        sequence: this.seq++ & 0xffff,
        timestampUs: nowUs32(),
        srcIp: 0,
        dstIp: this.o.server.ip,
        srcPort: 0,
        dstPort: this.o.server.port,
      },
      buf,
    );
    buf.set(payload, HEADER_V1_LEN);
    socket.send(buf, target.port, target.address);
  }
}
