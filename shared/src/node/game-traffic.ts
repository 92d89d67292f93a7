/**
 * A simulated game client: fixed-size datagrams at a fixed rate, each stamped with a sequence number and
 * its send time, and round-trip accounting of the echoes (loss, duplicates, RTT per packet).
 *
 * Payload layout: u32 BE sequence ‖ f64 BE send time (performance.now(), ms) ‖ filler.
 */
import dgram from 'node:dgram';

export const GAME_PAYLOAD_MIN = 12;

export interface GameTrafficOptions {
  target: { host: string; port: number };
  /** Packets per second. */
  pps: number;
  /** Payload bytes (>= 12). Default 200. */
  size?: number;
  /** Stop sending after this many packets (default: until `stop()`). */
  count?: number;
  /** Where to bind (default 127.0.0.1:0). */
  bindHost?: string;
}

export interface GameTrafficStats {
  sent: number;
  received: number;
  duplicates: number;
  /** Echoes that were not for this client or not well-formed. */
  foreign: number;
  /** 1 − received/sent over packets old enough to have come back. */
  loss: number;
}

/** Reads the sequence number a game-traffic payload carries (−1 when too short). */
export function gameSequence(payload: Uint8Array): number {
  if (payload.length < GAME_PAYLOAD_MIN) return -1;
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}

export class GameTrafficClient {
  private readonly socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  private readonly size: number;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private closed = false;
  /** Send time (ms) per sequence number. */
  readonly sentAt: number[] = [];
  /** RTT (ms) per sequence number; NaN until the echo arrives. */
  readonly rtt: number[] = [];
  /** Arrival time (ms) per sequence number; NaN until the echo arrives. */
  readonly arrivedAt: number[] = [];
  private received = 0;
  private duplicates = 0;
  private foreign = 0;
  /** Called for every first echo (sequence, RTT ms). */
  onEcho: ((seq: number, rttMs: number) => void) | null = null;

  private constructor(private readonly o: GameTrafficOptions) {
    this.size = Math.max(GAME_PAYLOAD_MIN, o.size ?? 200);
  }

  /** Binds and starts sending at once. */
  static async start(options: GameTrafficOptions): Promise<GameTrafficClient> {
    const c = new GameTrafficClient(options);
    await c.bind();
    c.startedAt = performance.now();
    c.tick();
    return c;
  }

  /** Local port of the client's socket. */
  get port(): number {
    return this.socket.address().port;
  }

  get sent(): number {
    return this.sentAt.length;
  }

  /** Counts, with loss judged over packets sent at least `settleMs` ago. */
  stats(settleMs = 0): GameTrafficStats {
    const cutoff = performance.now() - settleMs;
    let eligible = 0;
    let got = 0;
    for (let i = 0; i < this.sentAt.length; i++) {
      if (this.sentAt[i]! > cutoff) break;
      eligible++;
      if (!Number.isNaN(this.rtt[i]!)) got++;
    }
    return {
      sent: this.sentAt.length,
      received: this.received,
      duplicates: this.duplicates,
      foreign: this.foreign,
      loss: eligible === 0 ? 0 : 1 - got / eligible,
    };
  }

  /** Resolves once `count` packets are out (or at once without a count). */
  async finished(): Promise<void> {
    while (!this.closed && this.o.count !== undefined && this.sentAt.length < this.o.count) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops sending; keeps listening for echoes until `close()`. */
  stopSending(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopSending();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private async bind(): Promise<void> {
    this.socket.on('error', () => {});
    this.socket.on('message', (msg) => this.onMessage(msg));
    await new Promise<void>((resolve) =>
      this.socket.bind({ address: this.o.bindHost ?? '127.0.0.1', port: 0 }, () => resolve()),
    );
  }

  private tick(): void {
    if (this.closed) return;
    const now = performance.now();
    // Catch up to the schedule rather than trusting timer resolution (timers are whole milliseconds).
    const due = Math.floor(((now - this.startedAt) * this.o.pps) / 1000) + 1;
    const limit = this.o.count ?? Infinity;
    while (this.sentAt.length < due && this.sentAt.length < limit) this.sendOne();
    if (this.sentAt.length >= limit) return;
    const nextAt = this.startedAt + (this.sentAt.length * 1000) / this.o.pps;
    this.timer = setTimeout(() => this.tick(), Math.max(0, nextAt - performance.now()));
  }

  private sendOne(): void {
    const seq = this.sentAt.length;
    const buf = Buffer.alloc(this.size, 0x5a);
    const now = performance.now();
    buf.writeUInt32BE(seq, 0);
    buf.writeDoubleBE(now, 4);
    this.sentAt.push(now);
    this.rtt.push(NaN);
    this.arrivedAt.push(NaN);
    this.socket.send(buf, this.o.target.port, this.o.target.host);
  }

  private onMessage(msg: Buffer): void {
    const seq = gameSequence(msg);
    if (
      seq < 0 ||
      seq >= this.sentAt.length ||
      msg.length !== this.size ||
      msg.readDoubleBE(4) !== this.sentAt[seq]
    ) {
      this.foreign++;
      return;
    }
    if (!Number.isNaN(this.rtt[seq]!)) {
      this.duplicates++;
      return;
    }
    const now = performance.now();
    const rtt = now - this.sentAt[seq];
    this.rtt[seq] = rtt;
    this.arrivedAt[seq] = now;
    this.received++;
    this.onEcho?.(seq, rtt);
  }
}
