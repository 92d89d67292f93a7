/**
 * A FEC channel between two ends that both run this code: the project's one FEC path (`FecLink`, adaptive
 * v3 sliding-window repairs with in-band loss reports) sending v3 from the first message, without the
 * tunnel's offer/accept. Used by a mesh hop (relay ↔ relay, `proxy-server/src/mesh/hop-fec.ts`) and by the
 * client ↔ entry leg of a mesh session (docs/mesh.md); the caller frames what `emit` gets (a FecLink
 * datagram: a v3 source with its 24-byte header, or an 8-byte-header repair or loss report) and hands the
 * peer's datagrams to `receive`.
 *
 * Of the 20 common header bytes only the version (byte 0 = 0x30) and the channel's own u16 sequence (bytes
 * 2–3, by which the receiving end counts the channel's loss and reports it back) mean anything; the rest is
 * 0. The receiver's reports size the sender's repair rate to the loss this direction has.
 */
import { FEC_MAX_PAYLOAD } from './fec-encoder.js';
import { FecLink } from './fec-link.js';
import { V3Kind, checkTunnelHeader, readV3Extension, type V3Extension } from './fec-v3-header.js';

/** What one channel has done (both directions). */
export interface FecChannelStats {
  /** Repair datagrams sent. */
  repairs: number;
  /** Messages rebuilt from repairs. */
  recovered: number;
  /** Malformed datagrams dropped. */
  invalid: number;
  /** Messages received again after they were delivered (dropped). */
  duplicates: number;
}

/** Both directions of one FEC channel. `emit` sends a FecLink datagram; `deliver` gets a message. */
export class FecChannel {
  private readonly link: FecLink;
  private seq = 0;
  private reports = 0;
  private readonly ext: V3Extension = { kind: 0, id: 0, w: 0, key: 0, payloadOffset: 0 };

  constructor(
    emit: (datagram: Uint8Array) => void,
    deliver: (message: Uint8Array, recovered: boolean) => void,
  ) {
    this.link = new FecLink({
      setting: { kind: 'adaptive', budget: 'balanced' },
      flushMs: 5,
      writeHeader: (buf) => {
        buf[0] = 3 << 4;
        buf[1] = 0;
        buf[2] = (this.seq >> 8) & 0xff;
        buf[3] = this.seq & 0xff;
        this.seq = (this.seq + 1) & 0xffff;
      },
      emit,
      deliver,
    });
    this.link.switchToV3('balanced');
  }

  /** True when `message` can go through FEC (else the caller sends it bare). */
  static fits(message: Uint8Array): boolean {
    return message.length <= FEC_MAX_PAYLOAD;
  }

  /** Sends one message (and the repairs due after it). */
  send(message: Uint8Array, nowMs: number): void {
    this.link.send(message, nowMs);
  }

  /** One FecLink datagram from the peer: false when it is malformed (count it). Never throws. */
  receive(datagram: Uint8Array, nowMs: number): boolean {
    if (checkTunnelHeader(datagram) !== 3) return false;
    const ok = this.link.receive(datagram, 3, nowMs) !== 'invalid';
    if (ok && readV3Extension(datagram, this.ext) === null && this.ext.kind === V3Kind.REPORT) this.reports++;
    return ok;
  }

  /** Every few hundred ms: the loss report to the peer when one is due. */
  tick(nowMs: number): void {
    this.link.tick(nowMs);
  }

  /** The loss the peer reports for this direction (null before its first report). */
  get reportedLoss(): number | null {
    return this.reports === 0 ? null : this.link.estimatedLoss;
  }

  /** Duplicates so far (without a snapshot: for per-packet paths). */
  get duplicates(): number {
    return this.link.duplicates;
  }

  stats(): FecChannelStats {
    const s = this.link.stats();
    return { repairs: s.fecSent, recovered: s.recovered, invalid: s.invalid, duplicates: s.duplicates };
  }
}
