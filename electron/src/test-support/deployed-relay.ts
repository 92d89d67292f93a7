/**
 * A relay that behaves like the deployed upstream LightSpeed proxy (see
 * /work/shared/notes/deployed-lightspeed-wire.md), for interop tests:
 * - never ACKs a HANDSHAKE: forwards its payload (even empty) as data to the original destination;
 * - answers KEEPALIVE with v1, the same sequence, the token echoed, its own timestamp, zeroed addresses;
 * - keys sessions by the client's IP:port, one upstream socket each; the first packet fixes v1/v2 and K;
 * - replies with flags 0, token 0, a per-session sequence from 0, src = game server, dst = the client;
 *   in v2 a parity (with its own sequence number) after every K replies, never a partial block;
 * - FIN drops the session silently; destinations outside `allow` (default 127.0.0.0/8) are refused.
 */
import dgram from 'node:dgram';

import {
  FecDecoder,
  FecEncoder,
  Flag,
  decodeHeader,
  encodeHeader,
  formatIpv4,
  isParity,
  keepaliveHeader,
  parseIpv4,
  type TunnelHeader,
} from '@lightspeed/shared';

interface Session {
  key: string;
  address: string;
  port: number;
  ip: number;
  version: 1 | 2;
  k: number;
  upstream: dgram.Socket;
  seq: number;
  decoder: FecDecoder;
  encoder: FecEncoder | null;
}

export interface DeployedRelayStats {
  keepalives: number;
  handshakes: number;
  fins: number;
  forwarded: number;
  recovered: number;
  replies: number;
  parity: number;
  refused: number;
  malformed: number;
}

export class DeployedStyleRelay {
  private readonly socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  private readonly sessions = new Map<string, Session>();
  private readonly clock0 = performance.now();
  readonly stats: DeployedRelayStats = {
    keepalives: 0,
    handshakes: 0,
    fins: 0,
    forwarded: 0,
    recovered: 0,
    replies: 0,
    parity: 0,
    refused: 0,
    malformed: 0,
  };
  port = 0;
  private closed = false;

  private constructor(private readonly allow: (ip: number) => boolean) {}

  /** Starts on 127.0.0.1:`port` (0 = any free port). `allow` decides destinations (default 127.0.0.0/8). */
  static async start(
    port = 0,
    allow: (ip: number) => boolean = (ip) => ip >>> 24 === 127,
  ): Promise<DeployedStyleRelay> {
    const relay = new DeployedStyleRelay(allow);
    relay.socket.on('error', () => {});
    relay.socket.on('message', (msg, rinfo) => relay.onClient(msg, rinfo));
    await new Promise<void>((resolve) => relay.socket.bind({ address: '127.0.0.1', port }, () => resolve()));
    relay.port = relay.socket.address().port;
    return relay;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Distinct client IP:port keys that have had sessions. */
  sessionKeys(): string[] {
    return [...this.sessions.keys()];
  }

  /** Goes silent at once, like a crashed process: no FIN, no answers. */
  async kill(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sessions.values()) s.upstream.close();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private nowUs(): number {
    // The relay's own clock, deliberately unrelated to the client's.
    return Math.floor((performance.now() - this.clock0) * 1000 + 123_456_789) >>> 0;
  }

  private onClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const r = decodeHeader(msg, 0, msg.length);
    if (!r.ok) {
      this.stats.malformed++;
      return;
    }
    const h = r.header;
    if (h.flags & Flag.KEEPALIVE) {
      this.stats.keepalives++;
      const out = Buffer.alloc(20);
      encodeHeader(keepaliveHeader(h.sequence, this.nowUs(), h.token), out);
      this.socket.send(out, rinfo.port, rinfo.address);
      return;
    }
    const key = `${rinfo.address}:${rinfo.port}`;
    if (h.flags & Flag.FIN) {
      this.stats.fins++;
      const s = this.sessions.get(key);
      if (s) {
        s.upstream.close();
        this.sessions.delete(key);
      }
      return;
    }
    if (h.flags & Flag.HANDSHAKE) this.stats.handshakes++;
    if (!this.allow(h.dstIp) || h.dstIp === 0 || h.dstPort === 0) {
      this.stats.refused++;
      return;
    }
    const s = this.sessions.get(key) ?? this.createSession(key, rinfo, h);
    const payload = msg.subarray(r.payloadOffset);
    const dst = formatIpv4(h.dstIp);
    if (s.version === 1 || h.version === 1) {
      this.forward(s, payload, h.dstPort, dst);
      return;
    }
    if (h.version !== 2) return;
    const rec = s.decoder.receive(h.fec, payload, performance.now());
    if (!isParity(h.fec) && !s.decoder.lastWasDuplicate) this.forward(s, payload, h.dstPort, dst);
    if (rec) {
      this.stats.recovered++;
      this.forward(s, rec.payload, h.dstPort, dst);
    }
  }

  private forward(s: Session, payload: Uint8Array, port: number, host: string): void {
    this.stats.forwarded++;
    s.upstream.send(payload, port, host);
  }

  private createSession(key: string, rinfo: dgram.RemoteInfo, h: TunnelHeader): Session {
    const upstream = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    const s: Session = {
      key,
      address: rinfo.address,
      port: rinfo.port,
      ip: parseIpv4(rinfo.address) ?? 0,
      version: h.version,
      k: h.version === 2 ? Math.max(2, h.fec.k) : 0,
      upstream,
      seq: 0,
      decoder: new FecDecoder(),
      encoder: h.version === 2 ? new FecEncoder(Math.max(2, h.fec.k)) : null,
    };
    upstream.on('error', () => {});
    upstream.on('message', (reply, from) => this.onServer(s, reply, from));
    upstream.bind({ address: '127.0.0.1', port: 0 });
    this.sessions.set(key, s);
    return s;
  }

  private onServer(s: Session, reply: Buffer, from: dgram.RemoteInfo): void {
    if (this.closed) return;
    const srcIp = parseIpv4(from.address) ?? 0;
    const base = {
      flags: 0,
      token: 0,
      timestampUs: this.nowUs(),
      srcIp,
      dstIp: s.ip,
      srcPort: from.port,
      dstPort: s.port,
    };
    this.stats.replies++;
    if (s.encoder === null) {
      this.send(s, { version: 1, ...base, sequence: this.nextSeq(s) }, reply);
      return;
    }
    const blockId = s.encoder.blockId;
    const index = s.encoder.add(reply);
    this.send(s, { version: 2, ...base, sequence: this.nextSeq(s), fec: { blockId, index, k: s.k } }, reply);
    if (s.encoder.full) {
      const p = s.encoder.flush()!;
      this.stats.parity++;
      this.send(
        s,
        { version: 2, ...base, sequence: this.nextSeq(s), fec: { blockId: p.blockId, index: p.k, k: p.k } },
        p.payload,
      );
    }
  }

  private nextSeq(s: Session): number {
    const seq = s.seq;
    s.seq = (s.seq + 1) & 0xffff;
    return seq;
  }

  private send(s: Session, h: TunnelHeader, payload: Uint8Array): void {
    const hl = h.version === 2 ? 24 : 20;
    const out = Buffer.alloc(hl + payload.length);
    encodeHeader(h, out);
    out.set(payload, hl);
    this.socket.send(out, s.port, s.address);
  }
}
