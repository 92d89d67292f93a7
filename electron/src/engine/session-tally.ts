/**
 * Adds up a boost session for its summary: every keepalive RTT (capped), downstream packets expected and
 * received, FEC-repaired and FEC-lost packets, the relays used, the failovers and the direct comparison.
 */
import type { SessionSummary } from '@lightspeed/shared';

import { percentile } from './percentile.js';

const MAX_RTTS = 20_000;

export class SessionTally {
  private readonly startedAtMs: number;
  private readonly rtts: number[] = [];
  private expected = 0;
  private received = 0;
  private fecLost = 0;
  private fecData = 0;
  private fecUsed = false;
  recovered = 0;
  failovers = 0;
  readonly relays: string[] = [];
  /**
   * The direct path against the relay path over the session (direct-watch.ts: medians of the same probe
   * on both), when measured; `note` says why not.
   */
  direct: { directMs: number | null; boostedMs: number | null; note?: string } = {
    directMs: null,
    boostedMs: null,
    note: 'the direct path was not measured',
  };

  constructor(now = Date.now()) {
    this.startedAtMs = now;
  }

  useRelay(id: string): void {
    if (this.relays[this.relays.length - 1] !== id) this.relays.push(id);
  }

  /** One stats interval's worth. */
  add(i: {
    rtts: readonly number[];
    downExpected: number;
    downReceived: number;
    fec: boolean;
    fecLost: number;
    fecData: number;
    recoveredTotal: number;
  }): void {
    for (const r of i.rtts) if (this.rtts.length < MAX_RTTS) this.rtts.push(r);
    this.expected += i.downExpected;
    this.received += i.downReceived;
    if (i.fec) {
      this.fecUsed = true;
      this.fecLost += i.fecLost;
      this.fecData += i.fecData;
    }
    this.recovered = i.recoveredTotal;
  }

  summary(now = Date.now()): SessionSummary {
    const before = this.expected > 0 ? Math.max(0, 1 - this.received / this.expected) : 0;
    const after = this.fecUsed ? (this.fecData > 0 ? this.fecLost / this.fecData : 0) : before;
    const p50 = this.rtts.length === 0 ? null : percentile(this.rtts, 50);
    const d = this.direct;
    return {
      startedAt: new Date(this.startedAtMs).toISOString(),
      durationS: Math.max(0, (now - this.startedAtMs) / 1000),
      relays: [...this.relays],
      pingP50Ms: p50,
      pingP95Ms: this.rtts.length === 0 ? null : percentile(this.rtts, 95),
      lossBeforeFec: before,
      lossAfterFec: after,
      packetsRecovered: this.recovered,
      failovers: this.failovers,
      msSavedVsDirect: d.directMs === null || d.boostedMs === null ? null : d.directMs - d.boostedMs,
      directMs: d.directMs,
      boostedMs: d.boostedMs,
      ...(d.note === undefined ? {} : { directNote: d.note }),
    };
  }
}
