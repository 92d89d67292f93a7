/**
 * FEC on one mesh hop: the project's one FEC path (`FecLink`, adaptive v3 sliding-window repairs) over the
 * DATA / REPLY / FIN messages a node sends one peer. Both ends are mesh nodes running this code, so the hop
 * sends v3 from its first message, without the tunnel's offer/accept. Each FecLink datagram (a v3 source
 * with its 24-byte header, or an 8-byte repair or loss report) travels in its own sealed frame as a type-7
 * message:
 *
 *   7 ‖ FecLink datagram   (bytes 1–3 of its header: token 0 ‖ the hop's own u16 sequence, by which the
 *                           receiving end counts the hop's loss and reports it back in-band)
 *
 * The receiver's reports size the sender's repair rate to the loss this hop has, direction by direction.
 * PING / PONG / LSA are never wrapped: the loss the link estimate measures stays the raw loss.
 */
import {
  FEC_MAX_PAYLOAD,
  FecLink,
  V3Kind,
  checkTunnelHeader,
  readV3Extension,
  type V3Extension,
} from '@lightspeed/shared';

export const MSG_FEC = 7;

/** What the hop FEC of one peer has done (both directions). */
export interface HopFecStats {
  /** Repair datagrams sent. */
  repairs: number;
  /** Session messages rebuilt from repairs. */
  recovered: number;
  /** Malformed type-7 messages dropped. */
  invalid: number;
}

/** Both directions of one peer's hop FEC. `send` seals and sends a message; `deliver` gets a session message. */
export class HopFec {
  private readonly link: FecLink;
  private seq = 0;
  private reports = 0;
  private readonly ext: V3Extension = { kind: 0, id: 0, w: 0, key: 0, payloadOffset: 0 };

  constructor(
    send: (message: Uint8Array) => void,
    deliver: (message: Uint8Array, recovered: boolean) => void,
  ) {
    this.link = new FecLink({
      setting: { kind: 'adaptive', budget: 'balanced' },
      flushMs: 5,
      writeHeader: (buf) => {
        // Only the version, token and sequence mean anything on a hop; the rest of the 20 bytes stays 0.
        buf[0] = 3 << 4;
        buf[1] = 0;
        buf[2] = (this.seq >> 8) & 0xff;
        buf[3] = this.seq & 0xff;
        this.seq = (this.seq + 1) & 0xffff;
      },
      emit: (datagram) => {
        const m = new Uint8Array(1 + datagram.length);
        m[0] = MSG_FEC;
        m.set(datagram, 1);
        send(m);
      },
      deliver,
    });
    this.link.switchToV3('balanced');
  }

  /** True when `message` can go through FEC (else the caller sends it bare). */
  static fits(message: Uint8Array): boolean {
    return message.length <= FEC_MAX_PAYLOAD;
  }

  /** Sends one session message (and the repairs and report due after it). */
  send(message: Uint8Array, nowMs: number): void {
    this.link.send(message, nowMs);
  }

  /** One type-7 message from the peer: false when it is malformed (counted by the caller). */
  receive(message: Uint8Array, nowMs: number): boolean {
    const d = message.subarray(1);
    if (message[0] !== MSG_FEC || checkTunnelHeader(d) !== 3) return false;
    const ok = this.link.receive(d, 3, nowMs) !== 'invalid';
    if (ok && readV3Extension(d, this.ext) === null && this.ext.kind === V3Kind.REPORT) this.reports++;
    return ok;
  }

  /** About every probe interval: the loss report to the peer when one is due. */
  tick(nowMs: number): void {
    this.link.tick(nowMs);
  }

  /** The loss the peer reports for this direction of the hop (null before its first report). */
  get reportedLoss(): number | null {
    return this.reports === 0 ? null : this.link.estimatedLoss;
  }

  stats(): HopFecStats {
    const s = this.link.stats();
    return { repairs: s.fecSent, recovered: s.recovered, invalid: s.invalid };
  }
}
