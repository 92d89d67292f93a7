/**
 * Socket-level runs long enough to resolve the residual-loss targets: v3 adaptive at 128 pps, a few
 * sessions at once through the one relay (each its own game socket, lossy link seed and echo server), in
 * batches of 30,720 round trips (a minute each). Zero losses in 30,000 put the 95% upper bound under 0.01%;
 * each residual comes with its exact (Clopper–Pearson) 95% upper bound. A scenario whose bound is still
 * above its target while the estimate is under it runs another batch, up to MAX_BATCHES (a loss or two in
 * the first batch at 5% needs 60,000–90,000 round trips to resolve 0.01%), so the run is bounded and stops
 * on its own. Their rebuilt packets (thousands per scenario) give the socket-level recovery delay a p99 that
 * is not the second worst; four sessions at once rather than six keep the event loop that runs engine,
 * relay and links less crowded, and each session's blind start (until the relay's first loss reports) is
 * left out of the delays.
 */
import type { Relay } from '@lightspeed/proxy-server';

import type { Percentiles } from './benchmarks-md.js';
import { FEC_MODES, FEC_SCENARIOS, socketRun, type FecSocketRow } from './fec-bench.js';
import { percentile } from '../engine/percentile.js';

const PPS = 128;
/** Sessions at once, and round trips each, per batch (30,720 round trips). */
const SESSIONS = 4;
const PER_SESSION = 7680;
/** A scenario runs at most this many batches. */
export const MAX_BATCHES = 4;
/**
 * Rebuilt packets of a session's first 250 ms are left out of the recovery delays: until the relay's first
 * loss reports (24 datagrams or two losses, 100–200 ms at 128 pps) a new session repairs blind, at the 1%
 * guess — the bench starts a fresh engine per session, so there is no earlier flow to learn from.
 */
export const STARTUP_MS = 250;

/** The residual round-trip loss target per scenario (v3 adaptive, 128 pps); iid 1% has none. */
export const RESIDUAL_LIMITS: Readonly<Record<string, number>> = {
  'iid 5%': 0.0001,
  'iid 10%': 0.001,
  'iid 20%': 0.01,
  'bursty 5% (mean burst 3)': 0.005,
};

export interface FecTargetRun {
  scenario: string;
  /** Sessions at once in each batch. */
  sessions: number;
  /** Batches run (each `sessions` sessions; more than one when the first left the target unresolved). */
  batches?: number;
  /** Rebuilt packets of each session's first this many ms are not in `recoveryDelayMs`. */
  startupExcludedMs?: number;
  /** Round trips, all sessions together. */
  packets: number;
  /** Round trips that never completed. */
  lost: number;
  residualLoss: number;
  /** Exact 95% upper confidence bound of the residual loss. */
  residualUpper95: number;
  /** Bytes each way per game packet, pooled, ÷ FEC off's in the matrix (same scenario, 128 pps). */
  bytesUpVsOff: number;
  bytesDownVsOff: number;
  recovered: number;
  /** Recovery delay of the rebuilt round trips, all sessions pooled (ms). */
  recoveryDelayMs: Percentiles;
  /** The delays themselves, for pooling across scenarios (left out of the JSON). */
  extraMs?: number[];
}

/** ln C(n, k) + k ln p + (n − k) ln(1 − p), summed over 0..k: P(X ≤ k) for X ~ Binomial(n, p). */
function binomialCdf(k: number, n: number, p: number): number {
  let logC = 0;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    sum += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return sum;
}

/** The p at which seeing k or fewer of n has 5% probability: the exact one-sided 95% upper bound. */
export function upperBound95(k: number, n: number): number {
  if (n <= 0) return 1;
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Whether a scenario runs another batch: it has a residual target, its 95% bound is still above it while the
 * estimate is not, and batches are left.
 */
export function needsAnotherBatch(
  lost: number,
  packets: number,
  limit: number | undefined,
  batches: number,
  maxBatches = MAX_BATCHES,
): boolean {
  if (limit === undefined || batches >= maxBatches || packets <= 0) return false;
  return upperBound95(lost, packets) > limit && lost / packets <= limit;
}

export async function measureFecTargetRuns(
  relay: Relay,
  matrix: FecSocketRow[],
  quick: boolean,
  log: (m: string) => void,
): Promise<FecTargetRun[]> {
  const sessions = quick ? 2 : SESSIONS;
  const count = quick ? 512 : PER_SESSION;
  const maxBatches = quick ? 2 : MAX_BATCHES;
  const mode = FEC_MODES.find((m) => m.mode === 'adaptive')!;
  const out: FecTargetRun[] = [];
  for (const [i, sc] of FEC_SCENARIOS.entries()) {
    const runs: FecSocketRow[] = [];
    let lost = 0;
    let packets = 0;
    let batches = 0;
    do {
      log(
        `fec target run: ${sc.name} at ${PPS} pps, v3 adaptive, batch ${batches + 1}: ${sessions} sessions × ${count} packets`,
      );
      const batch = await Promise.all(
        Array.from({ length: sessions }, (_, j) =>
          socketRun(relay, sc, PPS, mode, count, 7000 + i * 10 + j + batches * 100, STARTUP_MS),
        ),
      );
      runs.push(...batch);
      batches++;
      packets = runs.reduce((a, r) => a + r.packets, 0);
      lost = runs.reduce((a, r) => a + Math.round(r.residualLoss * r.packets), 0);
    } while (needsAnotherBatch(lost, packets, RESIDUAL_LIMITS[sc.name], batches, maxBatches));
    const off = matrix.find((r) => r.scenario === sc.name && r.pps === PPS && r.mode === 'off');
    const extra = runs.flatMap((r) => r.extraMs ?? []);
    const perPacket = (key: 'bytesUpPerPacket' | 'bytesDownPerPacket'): number =>
      runs.reduce((a, r) => a + r[key] * r.packets, 0) / Math.max(1, packets);
    const ratio = (x: number, base: number | undefined): number =>
      base === undefined ? NaN : Math.round((x / base) * 1000) / 1000;
    out.push({
      scenario: sc.name,
      sessions,
      batches,
      startupExcludedMs: STARTUP_MS,
      packets,
      lost,
      residualLoss: lost / Math.max(1, packets),
      residualUpper95: upperBound95(lost, packets),
      bytesUpVsOff: ratio(perPacket('bytesUpPerPacket'), off?.bytesUpPerPacket),
      bytesDownVsOff: ratio(perPacket('bytesDownPerPacket'), off?.bytesDownPerPacket),
      recovered: runs.reduce((a, r) => a + r.recovered, 0),
      recoveryDelayMs: {
        p50: Math.round(percentile(extra, 50) * 1000) / 1000,
        p99: Math.round(percentile(extra, 99) * 1000) / 1000,
        n: extra.length,
      },
      extraMs: extra,
    });
  }
  return out;
}
