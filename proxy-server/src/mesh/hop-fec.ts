/**
 * FEC on one mesh hop: the shared `FecChannel` (`FecLink`'s adaptive v3, the project's one FEC path) over
 * the DATA / REPLY / FIN messages a node sends one peer. Each FecLink datagram travels in its own sealed
 * frame as a type-7 message:
 *
 *   7 ‖ FecLink datagram   (bytes 2–3 of its header: the hop's own u16 sequence, by which the receiving
 *                           end counts the hop's loss and reports it back in-band)
 *
 * The receiver's reports size the sender's repair rate to the loss this hop has, direction by direction.
 * PING / PONG / LSA are never wrapped: the loss the link estimate measures stays the raw loss.
 */
import { FecChannel, type FecChannelStats } from '@lightspeed/shared';

export const MSG_FEC = 7;

/** What the hop FEC of one peer has done (both directions). */
export type HopFecStats = FecChannelStats;

/** Both directions of one peer's hop FEC. `send` seals and sends a message; `deliver` gets a session message. */
export class HopFec {
  private readonly channel: FecChannel;

  constructor(
    send: (message: Uint8Array) => void,
    deliver: (message: Uint8Array, recovered: boolean) => void,
  ) {
    this.channel = new FecChannel((datagram) => {
      const m = new Uint8Array(1 + datagram.length);
      m[0] = MSG_FEC;
      m.set(datagram, 1);
      send(m);
    }, deliver);
  }

  /** True when `message` can go through FEC (else the caller sends it bare). */
  static fits(message: Uint8Array): boolean {
    return FecChannel.fits(message);
  }

  /** Sends one session message (and the repairs and report due after it). */
  send(message: Uint8Array, nowMs: number): void {
    this.channel.send(message, nowMs);
  }

  /** One type-7 message from the peer: false when it is malformed (counted by the caller). */
  receive(message: Uint8Array, nowMs: number): boolean {
    return message[0] === MSG_FEC && this.channel.receive(message.subarray(1), nowMs);
  }

  /** About every probe interval: the loss report to the peer when one is due. */
  tick(nowMs: number): void {
    this.channel.tick(nowMs);
  }

  /** The loss the peer reports for this direction of the hop (null before its first report). */
  get reportedLoss(): number | null {
    return this.channel.reportedLoss;
  }

  /** Messages from the peer dropped as already delivered (counted in /metrics by the node). */
  get duplicates(): number {
    return this.channel.duplicates;
  }

  stats(): HopFecStats {
    return this.channel.stats();
  }
}
