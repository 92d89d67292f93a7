/**
 * One game socket's path through one relay: its own UDP socket, because relays key sessions by the
 * client's IP:port and give each session one upstream socket — two game sockets sharing a tunnel socket
 * could not be told apart when they talk to the same server.
 *
 * Up: header (v1, or v2 with time-bounded XOR FEC blocks). Down: header check, sequence accounting,
 * FEC decode, duplicate suppression, delivery.
 */
import dgram from 'node:dgram';

import {
  FecDecoder,
  FecEncoder,
  Flag,
  HEADER_V1_LEN,
  HEADER_V2_LEN,
  Offset,
  checkHeader,
  encodeHeader,
  readU16,
  readU32,
  writeU32,
  type FecExtension,
  type TunnelHeader,
} from '@lightspeed/shared';

import { nowMs, nowUs32 } from './clock.js';
import type { EngineCounters } from './counters.js';
import { JitterEstimator } from './jitter.js';
import { bindAddressFor, type ResolvedEndpoint } from './resolve.js';
import { SequenceWindow } from './sequence-window.js';

export interface FlowOptions {
  relay: ResolvedEndpoint;
  /** The game socket this flow carries (as seen on the redirect port). */
  game: ResolvedEndpoint;
  server: ResolvedEndpoint;
  /** 0 = v1 without FEC; 2..16 = v2. */
  fecK: number;
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
  private readonly encoder: FecEncoder | null;
  private readonly decoder = new FecDecoder();
  private readonly window = new SequenceWindow();
  readonly jitter = new JitterEstimator();
  private seq = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private decoderLostSeen = 0;
  private readonly fecScratch: FecExtension = { blockId: 0, index: 0, k: 0 };
  /** True once closed: a cached reference to this flow must be refreshed. */
  closed = false;
  lastActivityMs = nowMs();
  /** Reply packets seen since the last stats interval (to know whether this flow's jitter is current). */
  repliesThisInterval = 0;

  /** Header with every per-flow field filled in; each packet copies it and stamps sequence, time and FEC. */
  private readonly template: Buffer;
  private readonly hlen: number;
  /** Set once connect() completes: a connected socket sends without a per-packet address lookup. */
  private connected = false;
  /** Packets waiting for connect() (null once connected, or when connect failed and sends are addressed). */
  private pending: Buffer[] | null = [];

  constructor(private readonly o: FlowOptions) {
    this.encoder = o.fecK === 0 ? null : new FecEncoder(o.fecK);
    this.hlen = o.fecK === 0 ? HEADER_V1_LEN : HEADER_V2_LEN;
    this.template = Buffer.alloc(this.hlen);
    const fec = o.fecK === 0 ? undefined : { blockId: 0, index: 0, k: o.fecK };
    encodeHeader(this.header(0, fec), this.template);
    this.seq = 0;
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
  }

  /** Carries one game payload to the relay. */
  send(payload: Uint8Array): void {
    if (this.closed) return;
    this.lastActivityMs = nowMs();
    const enc = this.encoder;
    if (enc === null) {
      this.stamp(payload, 0, 0, 0);
      return;
    }
    const blockId = enc.blockId;
    const index = enc.add(payload);
    this.stamp(payload, blockId, index, enc.k);
    if (enc.full) this.flushParity();
    else if (index === 0) this.flushTimer = setTimeout(() => this.flushParity(), this.o.fecFlushMs);
  }

  /** Closes the FEC block now (its parity goes out) — time-bounded blocks keep recovery latency low. */
  flushParity(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const parity = this.encoder?.flush();
    if (!parity || this.closed) return;
    this.o.counters.fecParityUp++;
    this.stamp(parity.payload, parity.blockId, parity.k, parity.k);
  }

  /** Expires stale FEC blocks and folds their losses into the counters; call once per stats interval. */
  tick(): void {
    this.decoder.expire(nowMs());
    const lost = this.decoder.stats().lost;
    this.o.counters.fecLost += lost - this.decoderLostSeen;
    this.decoderLostSeen = lost;
  }

  /** Tells the relay the session is over (deployed relays drop it silently) and closes the socket. */
  close(sendFin = true): void {
    if (this.closed) return;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
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

  /** Builds one packet from the template (the hot path: no header object, no per-packet encode). */
  private stamp(payload: Uint8Array, blockId: number, index: number, k: number): void {
    const hlen = this.hlen;
    const buf = Buffer.allocUnsafe(hlen + payload.length);
    this.template.copy(buf, 0, 0, hlen);
    const seq = this.seq;
    this.seq = (seq + 1) & 0xffff;
    buf[Offset.SEQUENCE] = seq >>> 8;
    buf[Offset.SEQUENCE + 1] = seq & 0xff;
    writeU32(buf, Offset.TIMESTAMP, nowUs32());
    if (hlen === HEADER_V2_LEN) {
      buf[Offset.FEC_BLOCK] = blockId >>> 8;
      buf[Offset.FEC_BLOCK + 1] = blockId & 0xff;
      buf[Offset.FEC_INDEX] = index;
      buf[Offset.FEC_K] = k;
    }
    buf.set(payload, hlen);
    const c = this.o.counters;
    c.packetsUp++;
    c.bytesUp += buf.length;
    this.sendRaw(buf);
  }

  /**
   * Until connect() completes, packets wait here (a few microseconds on loopback): an addressed send that
   * races the connection is refused by libuv (EISCONN) and silently lost.
   */
  private sendRaw(buf: Buffer): void {
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
    const version = checkHeader(msg);
    if (version < 0) {
      c.malformed++;
      return;
    }
    const flags = msg[Offset.VERSION_FLAGS]! & 0xf;
    const k = version === 2 ? msg[Offset.FEC_K]! : 0;
    c.packetsDown++;
    c.bytesDown += len;
    if (flags !== 0) {
      if (flags & Flag.FIN) {
        if (!this.closed) this.o.onRelayFin();
        return;
      }
      this.o.onRelayTraffic();
      if (flags & Flag.HANDSHAKE) this.o.onHandshakeAck();
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
      const fec = this.fecScratch;
      fec.blockId = readU16(msg, Offset.FEC_BLOCK);
      fec.index = msg[Offset.FEC_INDEX]!;
      fec.k = k;
      const payload = msg.subarray(HEADER_V2_LEN);
      const recovered = this.decoder.receive(fec, payload, nowMs());
      if (fec.index < k) {
        if (this.decoder.lastWasDuplicate) c.duplicatesDown++;
        else {
          c.dataReceived++;
          this.o.deliver(payload);
        }
      }
      if (recovered !== null) {
        c.fecRecovered++;
        this.o.deliver(recovered.payload);
      }
    }
    // Bookkeeping after delivery: the game's packet does not wait for it.
    this.lastActivityMs = nowMs();
    this.repliesThisInterval++;
    this.jitter.observe(readU32(msg, Offset.TIMESTAMP), nowUs32());
  }
}
