/**
 * The v3 loss report: what a receiver measured on one direction, sent back in-band (a v3 packet of kind
 * REPORT) at least once a second so the sender can size its repair rate. Payload, 8 bytes, big-endian:
 *
 *   0-1  u16  received     datagrams received in the interval (any kind, by header sequence)
 *   2-3  u16  lost         header sequence numbers missing in the interval (before FEC)
 *   4    u8   bursts       loss runs in the interval (mean burst = lost / bursts), capped at 255
 *   5    u8   max burst    longest run in the interval, capped at 255
 *   6-7  u16  unrecovered  source packets that left the decoder's window unknown (after FEC)
 *
 * Longer payloads are accepted (later fields may follow); shorter ones are invalid.
 */

export const V3_REPORT_LEN = 8;

export interface V3Report {
  received: number;
  lost: number;
  bursts: number;
  maxBurst: number;
  unrecovered: number;
}

export function encodeV3Report(r: V3Report): Uint8Array {
  const out = new Uint8Array(V3_REPORT_LEN);
  const u16 = (at: number, v: number): void => {
    const c = Math.min(0xffff, Math.max(0, Math.round(v)));
    out[at] = c >>> 8;
    out[at + 1] = c & 0xff;
  };
  u16(0, r.received);
  u16(2, r.lost);
  out[4] = Math.min(255, r.bursts);
  out[5] = Math.min(255, r.maxBurst);
  u16(6, r.unrecovered);
  return out;
}

/** Null when the payload is too short to be a report. */
export function decodeV3Report(p: Uint8Array): V3Report | null {
  if (p.length < V3_REPORT_LEN) return null;
  return {
    received: (p[0]! << 8) | p[1]!,
    lost: (p[2]! << 8) | p[3]!,
    bursts: p[4]!,
    maxBurst: p[5]!,
    unrecovered: (p[6]! << 8) | p[7]!,
  };
}

/**
 * Link loss and bursts from the header sequence numbers of one direction (every datagram counts: data,
 * repairs, reports). A gap is a burst of its length; a late packet that fills one takes a loss back.
 */
export class LossMeter {
  private last = -1;
  private received = 0;
  private lost = 0;
  private bursts = 0;
  private maxBurst = 0;

  observe(seq: number): void {
    seq &= 0xffff;
    if (this.last < 0) {
      this.last = seq;
      this.received++;
      return;
    }
    const d = (seq - this.last) & 0xffff;
    if (d === 0) return;
    this.received++;
    if (d < 0x8000) {
      const gap = d - 1;
      if (gap > 0) {
        this.lost += gap;
        this.bursts++;
        if (gap > this.maxBurst) this.maxBurst = gap;
      }
      this.last = seq;
    } else if (this.lost > 0) {
      this.lost--;
    }
  }

  /** Datagrams counted (received and missing) in the interval so far. */
  get counted(): number {
    return this.received + this.lost;
  }

  /** Sequence numbers missing in the interval so far. */
  get missing(): number {
    return this.lost;
  }

  /** The interval's counts (and a new interval starts). */
  take(unrecovered: number): V3Report {
    const r = {
      received: this.received,
      lost: this.lost,
      bursts: this.bursts,
      maxBurst: this.maxBurst,
      unrecovered,
    };
    this.received = 0;
    this.lost = 0;
    this.bursts = 0;
    this.maxBurst = 0;
    return r;
  }
}
