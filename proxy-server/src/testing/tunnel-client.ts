import { createSocket, type Socket } from 'node:dgram';

import {
  decodeHeader,
  encodeHeader,
  FecEncoder,
  HEADER_V1_LEN,
  HEADER_V2_LEN,
  parseIpv4,
  type HeaderV1,
  type TunnelHeader,
} from '@lightspeed/shared';

export interface ReceivedPacket {
  header: TunnelHeader;
  payload: Buffer;
  raw: Buffer;
}

export interface SendOptions {
  flags?: number;
  token?: number;
  sequence?: number;
  dstIp?: string;
  dstPort: number;
}

/**
 * A LightSpeed client written from the protocol document, for tests: sends v1/v2 tunnel packets to a
 * relay and queues what comes back, decoded.
 */
export class TunnelClient {
  readonly socket: Socket;
  readonly packets: ReceivedPacket[] = [];
  /** Datagrams that did not decode as tunnel packets. */
  undecodable = 0;
  private seq = 0;
  private waiters: (() => void)[] = [];
  private encoder: FecEncoder | null = null;

  private constructor(
    socket: Socket,
    readonly relayPort: number,
    readonly relayHost: string,
  ) {
    this.socket = socket;
    socket.on('message', (raw: Buffer) => {
      const d = decodeHeader(raw);
      if (!d.ok) {
        this.undecodable++;
        return;
      }
      this.packets.push({ header: d.header, payload: raw.subarray(d.payloadOffset), raw });
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  /** Opens a client socket on `bindHost` (any port) talking to the relay at relayHost:relayPort. */
  static async open(
    relayPort: number,
    relayHost = '127.0.0.1',
    bindHost = '127.0.0.1',
  ): Promise<TunnelClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, bindHost, resolve));
    return new TunnelClient(socket, relayPort, relayHost);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Builds a v1 packet. */
  v1(payload: Uint8Array, o: SendOptions): Buffer {
    const buf = Buffer.alloc(HEADER_V1_LEN + payload.length);
    encodeHeader(this.fields(o), buf);
    buf.set(payload, HEADER_V1_LEN);
    return buf;
  }

  /** Builds a v2 packet with an explicit FEC extension. */
  v2(payload: Uint8Array, o: SendOptions, fec: { blockId: number; index: number; k: number }): Buffer {
    const buf = Buffer.alloc(HEADER_V2_LEN + payload.length);
    encodeHeader({ ...this.fields(o), version: 2, fec }, buf);
    buf.set(payload, HEADER_V2_LEN);
    return buf;
  }

  /**
   * FEC-encodes `payloads` with K = k into complete v2 packets (data then parity per block, a partial last
   * block flushed), the way a client's sender does.
   */
  v2Stream(payloads: Uint8Array[], k: number, o: SendOptions): Buffer[] {
    this.encoder ??= new FecEncoder(k);
    const enc = this.encoder;
    const out: Buffer[] = [];
    for (const p of payloads) {
      const blockId = enc.blockId;
      const index = enc.add(p);
      out.push(this.v2(p, o, { blockId, index, k }));
      if (enc.full) {
        const parity = enc.flush()!;
        out.push(this.v2(parity.payload, o, { blockId: parity.blockId, index: parity.k, k: parity.k }));
      }
    }
    const tail = enc.flush();
    if (tail) out.push(this.v2(tail.payload, o, { blockId: tail.blockId, index: tail.k, k: tail.k }));
    return out;
  }

  private fields(o: SendOptions): HeaderV1 {
    const sequence = o.sequence ?? this.seq;
    this.seq = (sequence + 1) & 0xffff;
    return {
      version: 1,
      flags: o.flags ?? 0,
      token: o.token ?? 0,
      sequence,
      timestampUs: 0,
      srcIp: parseIpv4('127.0.0.1')!,
      dstIp: parseIpv4(o.dstIp ?? '127.0.0.1')!,
      srcPort: this.port,
      dstPort: o.dstPort,
    };
  }

  /** Sends raw bytes to the relay and resolves once they are handed to the kernel. */
  send(buf: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(buf, this.relayPort, this.relayHost, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Waits until `count` packets satisfying `pred` have arrived (or times out, rejecting). */
  async waitFor(
    pred: (p: ReceivedPacket) => boolean,
    count = 1,
    timeoutMs = 3000,
  ): Promise<ReceivedPacket[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.packets.filter(pred);
      if (hits.length >= count) return hits;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} packets (got ${hits.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves after `ms` of waiting, for asserting that nothing arrives. */
  static sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
