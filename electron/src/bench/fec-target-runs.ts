/**
 * Socket-level runs long enough to resolve the residual-loss targets: v3 adaptive at 128 pps, several
 * sessions at once through the one relay (each its own game socket, lossy link seed and echo server), so
 * 30,000 round trips per scenario take 40 s. Zero losses in 30,000 put the 95% upper bound under 0.01%;
 * each residual comes with its exact (Clopper–Pearson) 95% upper bound. Their rebuilt packets (about a
 * thousand per scenario at 5%) also give the socket-level recovery delay a p99 that is not the second worst.
 */
import type { Relay } from '@lightspeed/proxy-server';

import type { Percentiles } from './benchmarks-md.js';
import { FEC_MODES, FEC_SCENARIOS, socketRun, type FecSocketRow } from './fec-bench.js';
import { percentile } from '../engine/percentile.js';

const PPS = 128;

export interface FecTargetRun {
  scenario: string;
  sessions: number;
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

export async function measureFecTargetRuns(
  relay: Relay,
  matrix: FecSocketRow[],
  quick: boolean,
  log: (m: string) => void,
): Promise<FecTargetRun[]> {
  const sessions = quick ? 2 : 6;
  const count = quick ? 512 : 5120;
  const mode = FEC_MODES.find((m) => m.mode === 'adaptive')!;
  const out: FecTargetRun[] = [];
  for (const [i, sc] of FEC_SCENARIOS.entries()) {
    log(`fec target run: ${sc.name} at ${PPS} pps, v3 adaptive, ${sessions} sessions × ${count} packets`);
    const runs = await Promise.all(
      Array.from({ length: sessions }, (_, j) => socketRun(relay, sc, PPS, mode, count, 7000 + i * 10 + j)),
    );
    const off = matrix.find((r) => r.scenario === sc.name && r.pps === PPS && r.mode === 'off');
    const packets = runs.reduce((a, r) => a + r.packets, 0);
    const extra = runs.flatMap((r) => r.extraMs ?? []);
    const lost = runs.reduce((a, r) => a + Math.round(r.residualLoss * r.packets), 0);
    const perPacket = (key: 'bytesUpPerPacket' | 'bytesDownPerPacket'): number =>
      runs.reduce((a, r) => a + r[key] * r.packets, 0) / Math.max(1, packets);
    const ratio = (x: number, base: number | undefined): number =>
      base === undefined ? NaN : Math.round((x / base) * 1000) / 1000;
    out.push({
      scenario: sc.name,
      sessions,
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
