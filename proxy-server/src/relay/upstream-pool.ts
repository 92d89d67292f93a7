/**
 * Upstream sockets bound ahead of need. Every session owns a UDP socket on an ephemeral port (so replies
 * map back to it); binding one costs a system call that gets slower the more UDP sockets the host has, and
 * a reconnect storm asks for hundreds at once on the packet path. The pool keeps `target` sockets already
 * bound, hands one to each new session, and refills between event-loop turns in small batches. Sockets
 * are never reused after their session ends (a late reply for the old session must not reach a new one).
 */
import { createSocket, type RemoteInfo, type Socket, type SocketOptions } from 'node:dgram';

import type { Session } from './session.js';

/**
 * dgram resolves every send's address through dns.lookup, which for an IP literal still validates it and
 * defers the send by a process.nextTick. The relay only ever sends to addresses it formatted itself or read
 * from a received datagram, so this lookup hands the literal straight back: the send (and bind) happen now.
 */
export const literalLookup: NonNullable<SocketOptions['lookup']> = (address, _options, callback) =>
  callback(null, address, 4);

/** Refill batch per event-loop turn: keeps a refill from delaying packets by more than a few binds. */
const REFILL_BATCH = 16;

interface Slot {
  socket: Socket;
  owner: Session | null;
  failed: boolean;
}

export interface UpstreamPoolHandlers {
  onMessage(s: Session, msg: Buffer, rinfo: RemoteInfo): void;
  onError(s: Session, err: NodeJS.ErrnoException): void;
  /** A datagram on a pooled socket no session owns yet (nobody should know its port). */
  onUnowned(): void;
  /** The number of bound sockets waiting changed. */
  onReady?(n: number): void;
}

export class UpstreamPool {
  private readonly ready: Slot[] = [];
  private refillScheduled = false;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly target: number,
    private readonly handlers: UpstreamPoolHandlers,
  ) {}

  /** Sockets bound and waiting. */
  get size(): number {
    return this.ready.length;
  }

  /** Starts filling the pool up to its target (in batches, between event-loop turns). */
  warm(): void {
    this.scheduleRefill();
  }

  /** A bound socket now owned by `s`: from the pool, or bound on the spot when it is empty. Null if binding failed. */
  take(s: Session): Socket | null {
    let slot = this.ready.pop();
    if (slot === undefined) {
      slot = this.bind();
      if (slot.failed) return null;
    }
    slot.owner = s;
    this.handlers.onReady?.(this.ready.length);
    this.scheduleRefill();
    return slot.socket;
  }

  /** Closes the waiting sockets; sockets handed out belong to their sessions. */
  close(): void {
    this.closed = true;
    for (const slot of this.ready.splice(0)) slot.socket.close();
    this.handlers.onReady?.(0);
  }

  private bind(): Slot {
    const slot: Slot = {
      socket: createSocket({ type: 'udp4', lookup: literalLookup }),
      owner: null,
      failed: false,
    };
    const { socket } = slot;
    socket.on('message', (m: Buffer, r: RemoteInfo) => {
      if (slot.owner !== null) this.handlers.onMessage(slot.owner, m, r);
      else this.handlers.onUnowned();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (slot.owner !== null) return this.handlers.onError(slot.owner, err);
      // A bind failure (e.g. out of descriptors) is emitted synchronously from bind() below.
      if (!slot.failed) {
        slot.failed = true;
        try {
          socket.close();
        } catch {
          // not open
        }
      }
    });
    socket.bind({ address: this.host, port: 0 });
    return slot;
  }

  private scheduleRefill(): void {
    if (this.refillScheduled || this.closed || this.ready.length >= this.target) return;
    this.refillScheduled = true;
    setImmediate(() => {
      this.refillScheduled = false;
      if (this.closed) return;
      for (let i = 0; i < REFILL_BATCH && this.ready.length < this.target; i++) {
        const slot = this.bind();
        if (slot.failed) return; // out of descriptors or ports: try again on the next take
        this.ready.push(slot);
      }
      this.handlers.onReady?.(this.ready.length);
      this.scheduleRefill();
    });
  }
}
