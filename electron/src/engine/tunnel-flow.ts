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
  decodeHeader,
  encodeHeader,
  isParity,
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
  private closed = false;
  lastActivityMs = nowMs();
  /** Reply packets seen since the last stats interval (to know whether this flow's jitter is current). */
  repliesThisInterval = 0;

  constructor(private readonly o: FlowOptions) {
    this.encoder = o.fecK === 0 ? null : new FecEncoder(o.fecK);
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {
      // ICMP unreachable and friends surface here: the keepalives decide whether the relay is gone.
    });
    // Sends issued before the bind completes are queued by Node, so the first game packet is not lost.
    this.socket.bind({ address: bindAddressFor(o.relay.address), port: 0 });
  }

  /** Carries one game payload to the relay. */
  send(payload: Uint8Array): void {
    if (this.closed) return;
    this.lastActivityMs = nowMs();
    const enc = this.encoder;
    if (enc === null) {
      this.emit(this.header(0), payload);
      return;
    }
    const blockId = enc.blockId;
    const index = enc.add(payload);
    this.emit(this.header(0, { blockId, index, k: enc.k }), payload);
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
    this.emit(this.header(0, { blockId: parity.blockId, index: parity.k, k: parity.k }), parity.payload);
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
      this.socket.send(buf, this.o.relay.port, this.o.relay.address, () => this.socket.close());
    } else {
      this.socket.close();
    }
    this.closed = true;
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

  private emit(h: TunnelHeader, payload: Uint8Array): void {
    const hlen = h.version === 2 ? 24 : 20;
    const buf = Buffer.allocUnsafe(hlen + payload.length);
    encodeHeader(h, buf, 0);
    buf.set(payload, hlen);
    this.o.counters.packetsUp++;
    this.o.counters.bytesUp += buf.length;
    this.socket.send(buf, this.o.relay.port, this.o.relay.address);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const c = this.o.counters;
    if (rinfo.port !== this.o.relay.port || rinfo.address !== this.o.relay.address) {
      c.malformed++;
      return;
    }
    const r = decodeHeader(msg, 0, msg.length);
    if (!r.ok) {
      c.malformed++;
      return;
    }
    const h = r.header;
    c.packetsDown++;
    c.bytesDown += msg.length;
    this.o.onRelayTraffic();
    if (h.flags & Flag.HANDSHAKE) {
      this.o.onHandshakeAck();
      return;
    }
    if (h.flags & (Flag.KEEPALIVE | Flag.FIN)) return;
    const now = nowMs();
    this.lastActivityMs = now;
    const expectedBefore = this.window.expected;
    const verdict = this.window.observe(h.sequence);
    c.downExpected += this.window.expected - expectedBefore;
    if (verdict === 'new') c.downReceived++;
    this.repliesThisInterval++;
    this.jitter.observe(h.timestampUs, nowUs32());
    const payload = msg.subarray(r.payloadOffset);
    if (h.version === 1) {
      // v1 has nothing but the sequence to spot a packet the path duplicated.
      if (verdict !== 'new') {
        c.duplicatesDown++;
        return;
      }
      this.o.deliver(payload);
      return;
    }
    const recovered = this.decoder.receive(h.fec, payload, now);
    if (!isParity(h.fec)) {
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
}
