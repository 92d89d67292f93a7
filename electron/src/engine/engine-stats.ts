/**
 * One stats interval's snapshot (`BoostStats`) from the link, its flows and the counters: a pure function,
 * so the engine's timer only gathers the inputs, and the session tally gets the same interval's numbers.
 */
import type { BoostStats, RelayRef } from '@lightspeed/shared';

import type { EngineCounters } from './counters.js';
import { percentile } from './percentile.js';
import type { SessionTally } from './session-tally.js';

/** What the snapshot reads of the relay link (as it is after this interval's give-up check). */
export interface StatsLink {
  readonly o: { readonly ref: RelayRef };
  readonly alive: boolean;
  readonly keepalives: { readonly windowLoss: number; readonly rttJitterMs: number };
}

/** What the snapshot reads of one flow. */
export interface StatsFlow {
  readonly repliesThisInterval: number;
  readonly jitter: { readonly ms: number };
  readonly fecVersion: 1 | 2 | 3;
}

export interface StatsInput {
  atMs: number;
  link: StatsLink | null;
  flows: readonly StatsFlow[];
  /** This interval's keepalive RTTs, ms. */
  rtts: readonly number[];
  /** The counters now, and as they were at the last snapshot. */
  counters: EngineCounters;
  prev: EngineCounters;
  /** FEC in use (fixed K or adaptive). */
  fec: boolean;
}

/** One interval as the session tally adds it up. */
export type TallyInterval = Parameters<SessionTally['add']>[0];

/** Builds the snapshot and the interval's tally entry; modifies nothing. */
export function buildStats(i: StatsInput): { stats: BoostStats; interval: TallyInterval } {
  const { link, flows, rtts, counters: c, prev: p } = i;
  const downExpected = c.downExpected - p.downExpected;
  const downReceived = c.downReceived - p.downReceived;
  // With no game data coming back, the keepalives are the only measure of the path: a dead relay must
  // read as 100% loss, never as a green 0%.
  const lossDown =
    downExpected > 0
      ? Math.max(0, 1 - downReceived / downExpected)
      : link?.alive === true
        ? link.keepalives.windowLoss
        : 1;
  let lossDownAfterFec = lossDown;
  let interval: TallyInterval;
  if (i.fec) {
    const lost = c.fecLost - p.fecLost;
    const data = c.dataReceived - p.dataReceived + (c.fecRecovered - p.fecRecovered) + lost;
    lossDownAfterFec = data > 0 ? lost / data : lossDown;
    interval = {
      rtts,
      downExpected,
      downReceived,
      fec: true,
      fecLost: lost,
      fecData: data,
      recoveredTotal: c.fecRecovered,
    };
  } else {
    interval = {
      rtts,
      downExpected,
      downReceived,
      fec: false,
      fecLost: 0,
      fecData: 0,
      recoveredTotal: 0,
    };
  }
  const active = flows.filter((f) => f.repliesThisInterval > 0);
  const jitterMs =
    active.length > 0
      ? active.reduce((sum, f) => sum + f.jitter.ms, 0) / active.length
      : (link?.keepalives.rttJitterMs ?? 0);
  const stats: BoostStats = {
    atMs: i.atMs,
    relay: link?.o.ref ?? null,
    rtt:
      rtts.length === 0
        ? null
        : {
            min: Math.min(...rtts),
            p50: percentile(rtts, 50),
            p95: percentile(rtts, 95),
            last: rtts[rtts.length - 1]!,
          },
    jitterMs,
    lossUp: link?.keepalives.windowLoss ?? 0,
    lossDown,
    lossDownAfterFec,
    fecRecovered: c.fecRecovered,
    packetsUp: c.packetsUp,
    packetsDown: c.packetsDown,
    bytesUp: c.bytesUp,
    bytesDown: c.bytesDown,
    flows: flows.length,
    fecParityUp: c.fecParityUp,
    fecBytesUp: c.fecBytesUp,
    fecVersion: flows.reduce<1 | 2 | 3>((v, f) => (f.fecVersion > v ? f.fecVersion : v), 1),
    fecLost: c.fecLost,
    malformed: c.malformed,
  };
  return { stats, interval };
}
