/**
 * One game socket's path through one relay: its own UDP socket, because relays key sessions by the
 * client's IP:port and give each session one upstream socket — two game sockets sharing a tunnel socket
 * could not be told apart when they talk to the same server.
 *
 * FEC both ways goes through the shared `FecLink` (the relay's sessions use the same one): v1, v2 with
 * time-bounded XOR blocks, or adaptive — a v3 offer in a HANDSHAKE from this flow's own socket (the relay
 * keys sessions by it), v2 K = 4 until the relay accepts, then v3. Down: header check, sequence
 * accounting, FEC decode, duplicate suppression, delivery.
 */
import dgram from 'node:dgram';

import {
  FecLink,
  Flag,
  HEADER_V1_LEN,
  HEADER_V2_LEN,
  Offset,
  V3_COMPACT_FLAG,
  checkTunnelHeader,
  encodeHeader,
  readU16,
  readU32,
  writeFecExtension,
  writeHeaderFields,
  type FecBudget,
  type FecEstimate,
  type TunnelHeader,
} from '@lightspeed/shared';

import { nowMs, nowUs32 } from './clock.js';
import type { EngineCounters } from './counters.js';
import { JitterEstimator } from './jitter.js';
import { bindAddressFor, type ResolvedEndpoint } from './resolve.js';
import { SequenceWindow } from './sequence-window.js';

/** v3 offers a flow sends before it settles for v2 (a deployed relay never answers). */
const OFFER_ATTEMPTS = 4;
const OFFER_RETRY_MS = 250;

export interface FlowOptions {
  relay: ResolvedEndpoint;
  /** The game socket this flow carries (as seen on the redirect port). */
  game: ResolvedEndpoint;
  server: ResolvedEndpoint;
  /** 0 = v1 without FEC; 2..16 = v2 (ignored when `fecBudget` is set). */
  fecK: number;
  /** Adaptive FEC with this repair budget: offer v3, v2 K = 4 until the relay accepts. */
  fecBudget?: FecBudget | null | undefined;
  /** Adaptive: the upstream loss already known on this path (see `fec-seed.ts`); repairs start there. */
  fecSeed?: FecEstimate | null | undefined;
  token: number;
  /** Longest time a partial FEC block waits for more data before its parity goes out. */
  fecFlushMs: number;
  counters: EngineCounters;
  /** Hands a reply payload to the game socket. */
  deliver: (payload: Uint8Array) => void;
  /** Any valid packet from the relay on this flow: proof of life. */
  onRelayTraffic: () => void;
  /** A HANDSHAKE-flagged reply (our relays ACK; deployed ones never do). */
  onHandshakeAck: () => void;
  /** The relay sent FIN: it is shutting down or dropped our session. */
  onRelayFin: () => void;
}

export class TunnelFlow {
  private readonly socket: dgram.Socket;
  private readonly fec: FecLink;
  private readonly window = new SequenceWindow();
  readonly jitter = new JitterEstimator();
  private seq = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushAt = -1;
  private offerTimer: NodeJS.Timeout | null = null;
  private offersLeft = OFFER_ATTEMPTS;
  private lostSeen = 0;
  /** True once closed: a cached reference to this flow must be refreshed. */
  closed = false;
  lastActivityMs = nowMs();
  /** Reply packets seen since the last stats interval (to know whether this flow's jitter is current). */
  repliesThisInterval = 0;

  /** Set once connect() completes: a connected socket sends without a per-packet address lookup. */
  private connected = false;
  /** Packets waiting for connect() (null once connected, or when connect failed and sends are addressed). */
  private pending: Uint8Array[] | null = [];

  constructor(private readonly o: FlowOptions) {
    const c = o.counters;
    this.fec = new FecLink({
      setting: o.fecBudget
        ? { kind: 'adaptive', budget: o.fecBudget }
        : o.fecK === 0
          ? { kind: 'off' }
          : { kind: 'xor', k: o.fecK },
      flushMs: o.fecFlushMs,
      seed: o.fecSeed ?? null,
      writeHeader: (buf, version) => {
        const seq = this.seq;
        this.seq = (seq + 1) & 0xffff;
        writeHeaderFields(
          buf,
          0,
          version,
          0,
          o.token,
          seq,
          nowUs32(),
          o.game.ip,
          o.server.ip,
          o.game.port,
          o.server.port,
        );
      },
      emit: (datagram, role) => {
        c.packetsUp++;
        c.bytesUp += datagram.length;
        if (role === 'fec') {
          c.fecParityUp++;
          c.fecBytesUp += datagram.length;
        }
        this.sendRaw(datagram);
      },
      deliver: (payload, recovered) => {
        if (recovered) c.fecRecovered++;
        this.o.deliver(payload);
      },
    });
    this.socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {
      // ICMP unreachable and friends surface here: the keepalives decide whether the relay is gone.
      // If connect() itself failed, fall back to addressed sends so queued packets are not stranded.
      if (!this.connected && this.pending !== null) {
        const queued = this.pending;
        this.pending = null;
        for (const b of queued) this.sendRaw(b);
      }
    });
    // Sends issued before the bind completes are queued by Node, so the first game packet is not lost.
    this.socket.bind({ address: bindAddressFor(o.relay.address), port: 0 });
    this.socket.connect(o.relay.port, o.relay.address, () => {
      this.connected = true;
      const queued = this.pending ?? [];
      this.pending = null;
      if (!this.closed) for (const b of queued) this.socket.send(b);
    });
    // The offer goes first, so that it reaches the relay before the session's first data packet.
    this.sendOffer();
  }

  /** The header version data goes up with now (3 once the relay accepted the offer). */
  get fecVersion(): 1 | 2 | 3 {
    return this.fec.version;
  }

  /** v3: the upstream loss the relay's reports taught this flow, for the next flow to start from. */
  fecEstimate(): FecEstimate | null {
    return this.fec.estimate();
  }

  /**
   * The v3 offer: a v2 (K = 4) HANDSHAKE with zeroed addresses — a deployed relay forwards a handshake's
   * payload as data, and 0.0.0.0:0 is refused everywhere — repeated a few times until an accept comes.
   */
  private sendOffer(): void {
    this.offerTimer = null;
    const offer = this.fec.offer();
    if (offer === null || this.closed || this.offersLeft <= 0) return;
    this.offersLeft--;
    const buf = new Uint8Array(HEADER_V2_LEN + offer.length);
    writeHeaderFields(buf, 0, 2, Flag.HANDSHAKE, this.o.token, this.seq, nowUs32(), 0, 0, 0, 0);
    writeFecExtension(buf, 0, 0, 0, 4);
    buf.set(offer, HEADER_V2_LEN);
    this.sendRaw(buf);
    this.offerTimer = setTimeout(() => this.sendOffer(), OFFER_RETRY_MS);
  }

  /** Carries one game payload to the relay. */
  send(payload: Uint8Array): void {
    if (this.closed) return;
    const now = nowMs();
    this.lastActivityMs = now;
    this.fec.send(payload, now);
    this.armFlush();
  }

  /** A partial v2 block's parity leaves `fecFlushMs` after its first packet — time-bounded blocks. */
  private armFlush(): void {
    const due = this.fec.dueMs;
    if (due === null || (this.flushTimer !== null && this.flushAt === due)) return;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushAt = due;
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = null;
        if (this.closed) return;
        this.fec.poll(nowMs());
        this.armFlush();
      },
      Math.max(0, due - nowMs()),
    );
  }

  /**
   * Expires stale FEC blocks, sends a v3 loss report when one is due, and folds losses into the counters;
   * call once per stats interval.
   */
  tick(): void {
    if (this.closed) return;
    this.fec.tick(nowMs());
    const lost = this.fec.stats().lost;
    this.o.counters.fecLost += lost - this.lostSeen;
    this.lostSeen = lost;
  }

  /** Tells the relay the session is over (deployed relays drop it silently) and closes the socket. */
  close(sendFin = true): void {
    if (this.closed) return;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.offerTimer !== null) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    if (sendFin) {
      const buf = Buffer.alloc(20);
      encodeHeader(this.header(Flag.FIN), buf);
      try {
        if (this.connected) this.socket.send(buf, () => this.closeSocket());
        else this.closeSocket(); // never sent anything that reached the relay: nothing to finish
      } catch {
        this.closeSocket();
      }
    } else {
      this.closeSocket();
    }
    this.closed = true;
  }

  private closeSocket(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private header(flags: number, fec?: { blockId: number; index: number; k: number }): TunnelHeader {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const common = {
      flags,
      token: this.o.token,
      sequence: seq,
      timestampUs: nowUs32(),
      srcIp: this.o.game.ip,
      dstIp: this.o.server.ip,
      srcPort: this.o.game.port,
      dstPort: this.o.server.port,
    };
    return fec === undefined ? { version: 1, ...common } : { version: 2, ...common, fec };
  }

  /**
   * Until connect() completes, packets wait here (a few microseconds on loopback): an addressed send that
   * races the connection is refused by libuv (EISCONN) and silently lost.
   */
  private sendRaw(buf: Uint8Array): void {
    if (this.connected) this.socket.send(buf);
    else if (this.pending !== null) this.pending.push(buf);
    else this.socket.send(buf, this.o.relay.port, this.o.relay.address);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const c = this.o.counters;
    if (rinfo.port !== this.o.relay.port || rinfo.address !== this.o.relay.address) {
      c.malformed++;
      return;
    }
    // The hot path reads fields in place (no header object) after decodeHeader's own checks.
    const len = msg.length;
    const version = checkTunnelHeader(msg);
    const flags = msg[Offset.VERSION_FLAGS]! & 0xf;
    // v3 is data only; flag 0x8 marks its 8-byte repair/report shape (no timestamp, no addresses).
    if (version < 0 || (version === 3 && (flags & ~V3_COMPACT_FLAG) !== 0)) {
      c.malformed++;
      return;
    }
    c.packetsDown++;
    c.bytesDown += len;
    if (flags !== 0 && version !== 3) {
      if (flags & Flag.FIN) {
        if (!this.closed) this.o.onRelayFin();
        return;
      }
      this.o.onRelayTraffic();
      if (flags & Flag.HANDSHAKE) {
        this.o.onHandshakeAck();
        // A relay that speaks v3 answers our offer with the accept: from now on data goes up in v3.
        if (this.fec.onHandshakeAnswer(msg.subarray(HEADER_V1_LEN)) && this.offerTimer !== null) {
          clearTimeout(this.offerTimer);
          this.offerTimer = null;
        }
      }
      return; // keepalive answers and handshake ACKs carry no game data
    }
    this.o.onRelayTraffic();
    const expectedBefore = this.window.expected;
    const verdict = this.window.observe(readU16(msg, Offset.SEQUENCE));
    c.downExpected += this.window.expected - expectedBefore;
    if (verdict === 'new') c.downReceived++;
    if (version === 1) {
      // v1 has nothing but the sequence to spot a packet the path duplicated.
      if (verdict !== 'new') c.duplicatesDown++;
      else this.o.deliver(msg.subarray(HEADER_V1_LEN));
    } else {
      // Data and what it lets us rebuild are delivered through the link's deliver (rebuilt counted there).
      const result = this.fec.receive(msg, version as 2 | 3, nowMs());
      if (result === 'data') c.dataReceived++;
      else if (result === 'duplicate') c.duplicatesDown++;
      else if (result === 'invalid') c.malformed++;
    }
    // Bookkeeping after delivery: the game's packet does not wait for it.
    this.lastActivityMs = nowMs();
    this.repliesThisInterval++;
    if (flags === 0) this.jitter.observe(readU32(msg, Offset.TIMESTAMP), nowUs32()); // v3 repairs have no timestamp
  }
}
