/**
 * Our connection to one relay: a control socket that sends the HANDSHAKE (carrying the token) and the
 * keepalives that measure RTT and decide liveness, plus one TunnelFlow per game socket.
 *
 * Deployed relays never ACK a handshake, so nothing waits for one: the link counts as alive as soon as
 * anything valid comes back (keepalive reply, handshake ACK or data).
 */
import dgram from 'node:dgram';

import {
  Flag,
  decodeHeader,
  encodeHeader,
  keepaliveHeader,
  type FecBudget,
  type FecEstimate,
  type RelayRef,
} from '@lightspeed/shared';

import { nowMs, nowUs32 } from './clock.js';
import type { EngineCounters } from './counters.js';
import { fecSeed } from './fec-seed.js';
import { KeepaliveTracker } from './keepalive-tracker.js';
import { bindAddressFor, type ResolvedEndpoint } from './resolve.js';
import { TunnelFlow } from './tunnel-flow.js';

export interface LinkOptions {
  relay: ResolvedEndpoint;
  ref: RelayRef;
  fecK: number;
  /** Adaptive FEC: each flow offers v3 with this budget (v2 K = 4 where the relay does not accept). */
  fecBudget?: FecBudget | null | undefined;
  token: number;
  keepaliveMs: number;
  fecFlushMs: number;
  counters: EngineCounters;
}

export interface LinkEvents {
  /** First sign of life, and every sign of life after a miss. */
  onAlive(): void;
  /** A keepalive went unanswered; `consecutive` in a row so far. */
  onMiss(consecutive: number): void;
  /** The relay said FIN (our relays do when they shut down): no need to wait for missed keepalives. */
  onRelayFin(): void;
}

/**
 * One game socket talking to one game server, as a flow source saw it (a redirect port, or capture).
 * The engine gives each its own tunnel flow.
 */
export interface GameKey {
  /** Unique among the keys of one boost (the source's route and the game socket, or socket and server). */
  id: string;
  /** The game socket's address (the tunnel header's source). */
  game: ResolvedEndpoint;
  /** Where the game meant to send (the tunnel header's destination). */
  server: ResolvedEndpoint;
  /** Hands a reply payload to the game socket, as the server's. */
  reply: (payload: Uint8Array) => void;
  /** The flow last used for this game socket (a cache; a closed flow means look it up again). */
  flow: TunnelFlow | null;
}

export class RelayLink {
  readonly keepalives = new KeepaliveTracker();
  private readonly socket: dgram.Socket;
  private readonly flows = new Map<string, TunnelFlow>();
  private timer: NodeJS.Timeout | null = null;
  private readonly expiryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** The upstream loss estimate of the last flow closed (adaptive FEC): the next flow starts from it. */
  private learned: FecEstimate | null = null;
  /** Whether anything valid has come back since the last miss. */
  alive = false;
  handshakeAcked = false;

  constructor(
    readonly o: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {
      // Unreachable relays show up as misses; the socket itself stays usable.
    });
  }

  get relay(): ResolvedEndpoint {
    return this.o.relay;
  }

  /** Binds, sends the HANDSHAKE and starts keepalives (the first goes out at once). */
  async open(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: bindAddressFor(this.o.relay.address), port: 0 }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    if (this.closed) return;
    this.sendHandshake();
    this.sendKeepalive();
    this.timer = setInterval(() => this.sendKeepalive(), this.o.keepaliveMs);
  }

  /** The flow for a game socket, created on first use. */
  flowFor(key: GameKey): TunnelFlow {
    let flow = this.flows.get(key.id);
    if (flow === undefined) {
      flow = new TunnelFlow({
        relay: this.o.relay,
        game: key.game,
        server: key.server,
        fecK: this.o.fecK,
        fecBudget: this.o.fecBudget,
        // A new game socket starts repairing at the loss this relay link is known to have, not blind.
        fecSeed: this.o.fecBudget ? this.fecSeed() : null,
        token: this.o.token,
        fecFlushMs: this.o.fecFlushMs,
        counters: this.o.counters,
        deliver: key.reply,
        onRelayTraffic: () => this.markAlive(),
        onHandshakeAck: () => {
          this.handshakeAcked = true;
        },
        onRelayFin: () => this.relayFin(),
      });
      this.flows.set(key.id, flow);
    }
    return flow;
  }

  /** What a new flow's v3 repair rate starts from (see `fec-seed.ts`). */
  fecSeed(): FecEstimate | null {
    return fecSeed({
      live: [...this.flows.values()].map((f) => f.fecEstimate()),
      closed: this.learned,
      keepalive: { loss: this.keepalives.windowLoss, judged: this.keepalives.judged },
    });
  }

  /** Live flows (for stats). */
  flowList(): TunnelFlow[] {
    return [...this.flows.values()];
  }

  /** Closes flows idle for longer than `idleMs`. */
  reapIdle(idleMs: number): void {
    const now = nowMs();
    for (const [id, flow] of this.flows) {
      if (now - flow.lastActivityMs > idleMs) {
        this.learned = flow.fecEstimate() ?? this.learned;
        flow.close();
        this.flows.delete(id);
      }
    }
  }

  /** Stops keepalives, closes every flow (FIN to the relay unless it is presumed dead) and the socket. */
  close(relayDead = false): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const t of this.expiryTimers) clearTimeout(t);
    this.expiryTimers.clear();
    for (const flow of this.flows.values()) flow.close(!relayDead);
    this.flows.clear();
    if (relayDead) {
      this.closeSocket();
      return;
    }
    // Our relays open a session for the handshake: FIN it so it does not linger until the idle timeout.
    const buf = Buffer.alloc(20);
    encodeHeader({ ...keepaliveHeader(0, nowUs32(), this.o.token), flags: Flag.FIN }, buf);
    try {
      this.socket.send(buf, this.o.relay.port, this.o.relay.address, () => this.closeSocket());
    } catch {
      this.closeSocket();
    }
  }

  private closeSocket(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private sendHandshake(): void {
    // Zeroed addresses: a deployed relay forwards a handshake as data, and 0.0.0.0:0 is a destination
    // every relay refuses, so no game server ever receives a stray empty datagram.
    const buf = Buffer.alloc(20);
    encodeHeader({ ...keepaliveHeader(0, nowUs32(), this.o.token), flags: Flag.HANDSHAKE }, buf);
    this.socket.send(buf, this.o.relay.port, this.o.relay.address);
  }

  private sendKeepalive(): void {
    if (this.closed) return;
    const now = nowMs();
    const seq = this.keepalives.next(now);
    const buf = Buffer.alloc(20);
    encodeHeader(keepaliveHeader(seq, nowUs32(), this.o.token), buf);
    this.socket.send(buf, this.o.relay.port, this.o.relay.address);
    // A keepalive is lost when its reply has not come within a few RTTs (never longer than the interval):
    // three misses then take about three intervals, not four.
    const srtt = this.keepalives.srttMs ?? this.o.keepaliveMs / 4;
    const timeout = Math.min(this.o.keepaliveMs, Math.max(this.o.keepaliveMs / 4, 4 * srtt));
    const t = setTimeout(() => {
      this.expiryTimers.delete(t);
      if (this.closed) return;
      if (this.keepalives.expire(seq)) {
        this.alive = false;
        this.events.onMiss(this.keepalives.consecutiveMisses);
      }
    }, timeout);
    this.expiryTimers.add(t);
  }

  private relayFin(): void {
    if (this.closed) return;
    this.alive = false;
    this.events.onRelayFin();
  }

  private markAlive(): void {
    this.keepalives.consecutiveMisses = 0;
    if (!this.alive) {
      this.alive = true;
      this.events.onAlive();
    }
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (rinfo.port !== this.o.relay.port || rinfo.address !== this.o.relay.address) {
      this.o.counters.malformed++;
      return;
    }
    const r = decodeHeader(msg, 0, msg.length);
    if (!r.ok) {
      this.o.counters.malformed++;
      return;
    }
    const h = r.header;
    if (h.flags & Flag.FIN) {
      this.relayFin();
      return;
    }
    if (h.flags & Flag.KEEPALIVE) this.keepalives.onReply(h.sequence, nowMs());
    else if (h.flags & Flag.HANDSHAKE) this.handshakeAcked = true;
    this.markAlive();
  }
}
