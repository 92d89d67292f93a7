/**
 * A userspace "bad network" (the kernel here has no netem): a UDP forwarder from a listen port to a
 * forward address and back, with seedable iid or Gilbert–Elliott loss, delay and jitter, reordering and
 * duplication in each direction, and counters.
 *
 * Each client address seen on the listen port gets its own upstream socket, so the far side (a relay that
 * keys sessions by source IP:port) still sees one source per client.
 */
import dgram from 'node:dgram';

import { gilbertElliottLossModel, iidLoss, type GilbertElliott, type LossModel } from './loss-model.js';
import { Prng, deriveSeed } from './prng.js';

export interface Impairments {
  /** iid loss probability, 0..1 (ignored when `burst` is set). */
  loss?: number;
  /** Gilbert–Elliott bursty loss (see `burstModel`). */
  burst?: GilbertElliott;
  /** Fixed one-way delay, ms. */
  delayMs?: number;
  /** Uniform jitter ± this many ms around the delay (order is kept unless reordering is on). */
  jitterMs?: number;
  /** Probability that a packet is held back `reorderGapMs` and overtaken by later ones. */
  reorder?: number;
  /** How long a reordered packet is held back, ms. Default 10. */
  reorderGapMs?: number;
  /** Probability that a packet is sent twice. */
  duplicate?: number;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface LossyLinkOptions extends Impairments {
  /** Where clients send (port 0 = any free port; read `port`). */
  listen: HostPort;
  /** Where packets go. */
  forward: HostPort;
  /** PRNG seed; the same seed and the same packets give the same fates. Default 1. */
  seed?: number;
  /** Impairments client → forward; default: the top-level ones. */
  up?: Impairments;
  /** Impairments forward → client; default: the top-level ones. */
  down?: Impairments;
  /** Called with every packet the link drops (benchmarks use it to tell recovered packets apart). */
  onDrop?: (direction: 'up' | 'down', msg: Buffer) => void;
}

export interface DirectionStats {
  received: number;
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  bytes: number;
}

export interface LossyLinkStats {
  up: DirectionStats;
  down: DirectionStats;
  clients: number;
}

class Direction {
  readonly stats: DirectionStats = {
    received: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    bytes: 0,
  };
  private model: LossModel;
  private lastRelease = 0;
  private readonly queue: { release: number; fire: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;

  constructor(
    private imp: Impairments,
    private readonly rng: Prng,
    private readonly onDrop: ((msg: Buffer) => void) | undefined,
  ) {
    this.model = modelFor(imp);
  }

  set(imp: Impairments): void {
    this.imp = imp;
    this.model = modelFor(imp);
  }

  /** Decides a packet's fate and sends it (0, 1 or 2 times, now or later) through `send`. */
  pass(msg: Buffer, send: (msg: Buffer) => void): void {
    const s = this.stats;
    s.received++;
    if (this.model.drop(this.rng)) {
      s.dropped++;
      this.onDrop?.(msg);
      return;
    }
    const imp = this.imp;
    const copies = this.rng.chance(imp.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) s.duplicated++;
    const reordered = this.rng.chance(imp.reorder ?? 0);
    const now = performance.now();
    const jitter = imp.jitterMs ?? 0;
    let release =
      now + Math.max(0, (imp.delayMs ?? 0) + (jitter > 0 ? this.rng.between(-jitter, jitter) : 0));
    if (reordered) {
      s.reordered++;
      release += imp.reorderGapMs ?? 10;
    } else {
      release = Math.max(release, this.lastRelease); // jitter alone never reorders
      this.lastRelease = release;
    }
    const fire = (): void => {
      for (let i = 0; i < copies; i++) {
        s.forwarded++;
        s.bytes += msg.length;
        send(msg);
      }
    };
    if (release - now <= 0.05 && this.queue.length === 0) {
      fire();
      return;
    }
    // One queue ordered by release time and one timer: separate timers per packet would not keep order.
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.release > release) at--;
    this.queue.splice(at, 0, { release, fire });
    this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (head === undefined) return;
    if (this.timer !== null && this.timerAt <= head.release) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = head.release;
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.release - performance.now()));
  }

  private drain(): void {
    this.timer = null;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.release <= now + 0.5) this.queue.shift()!.fire();
    this.arm();
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

function modelFor(imp: Impairments): LossModel {
  return imp.burst !== undefined ? gilbertElliottLossModel(imp.burst) : iidLoss(imp.loss ?? 0);
}

function pick(top: Impairments): Impairments {
  const { loss, burst, delayMs, jitterMs, reorder, reorderGapMs, duplicate } = top;
  return { loss, burst, delayMs, jitterMs, reorder, reorderGapMs, duplicate };
}

interface Client {
  socket: dgram.Socket;
  address: string;
  port: number;
  lastSeen: number;
}

export class LossyLink {
  private readonly listenSocket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  private readonly clients = new Map<string, Client>();
  private readonly up: Direction;
  private readonly down: Direction;
  private reaper: NodeJS.Timeout | null = null;
  private closed = false;
  /** Bound listen port. */
  port = 0;

  private constructor(private readonly o: LossyLinkOptions) {
    const seed = o.seed ?? 1;
    const onDrop = o.onDrop;
    this.up = new Direction(
      o.up ?? pick(o),
      new Prng(deriveSeed(seed, 0)),
      onDrop && ((m) => onDrop('up', m)),
    );
    this.down = new Direction(
      o.down ?? pick(o),
      new Prng(deriveSeed(seed, 1)),
      onDrop && ((m) => onDrop('down', m)),
    );
  }

  /** Starts a link; resolves once the listen port is bound. */
  static async start(options: LossyLinkOptions): Promise<LossyLink> {
    const link = new LossyLink(options);
    await link.listen();
    return link;
  }

  /** `host:port` clients should send to. */
  get address(): string {
    return `${this.o.listen.host}:${this.port}`;
  }

  /** Changes impairments on the fly (e.g. loss 1 to cut the link). */
  setImpairments(direction: 'up' | 'down' | 'both', imp: Impairments): void {
    if (direction !== 'down') this.up.set(imp);
    if (direction !== 'up') this.down.set(imp);
  }

  stats(): LossyLinkStats {
    return { up: { ...this.up.stats }, down: { ...this.down.stats }, clients: this.clients.size };
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reaper !== null) clearInterval(this.reaper);
    this.up.close();
    this.down.close();
    const closing = [this.listenSocket, ...[...this.clients.values()].map((c) => c.socket)].map(
      (s) => new Promise<void>((resolve) => s.close(() => resolve())),
    );
    this.clients.clear();
    await Promise.all(closing);
  }

  private async listen(): Promise<void> {
    const sock = this.listenSocket;
    sock.on('error', () => {});
    sock.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: this.o.listen.host, port: this.o.listen.port }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    this.port = sock.address().port;
    this.reaper = setInterval(() => this.reap(), 10_000);
    this.reaper.unref();
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
      const c: Client = { socket, address: rinfo.address, port: rinfo.port, lastSeen: 0 };
      socket.on('error', () => {});
      socket.on('message', (reply) => {
        if (this.closed) return;
        this.down.pass(reply, (m) => {
          if (!this.closed) safeSend(this.listenSocket, m, c.port, c.address);
        });
      });
      socket.bind({ address: this.o.listen.host === '0.0.0.0' ? undefined : this.o.listen.host, port: 0 });
      client = c;
      this.clients.set(key, c);
    }
    client.lastSeen = performance.now();
    const sock = client.socket;
    this.up.pass(msg, (m) => {
      if (!this.closed) safeSend(sock, m, this.o.forward.port, this.o.forward.host);
    });
  }

  private reap(): void {
    const now = performance.now();
    for (const [key, c] of this.clients) {
      if (now - c.lastSeen > 120_000) {
        c.socket.close();
        this.clients.delete(key);
      }
    }
  }
}

/** A delayed packet may outlive its socket (reaped client): dropping it is what a real network would do. */
function safeSend(socket: dgram.Socket, msg: Buffer, port: number, host: string): void {
  try {
    socket.send(msg, port, host);
  } catch {
    // socket closed meanwhile
  }
}
