/**
 * The recovery-delay target (v3 adaptive at 128 pps, p99 ≤ one packet interval + 2 ms under iid loss) read
 * against what the byte targets allow, in simulated time with samples large enough for a p99 (thousands of
 * rebuilt packets per scenario). Per scenario:
 * - the bound for any code within the byte budget (`delayLowerBoundMs`: causality and the repair budget);
 * - an ideal linear sliding-window code at that budget (`idealScheduleDelays`: repairs evenly spaced, each
 *   over the whole window, generic coefficients) — it counts that several losses need several repairs;
 * - an ideal decoder on our own schedule (`oracleDelays` over the very datagrams `simulateFec` sent);
 * - ours.
 */
import {
  delayLowerBoundMs,
  idealScheduleDelays,
  repairBudget,
  simulateFec,
  type DelayBoundScenario,
} from '@lightspeed/shared/node';

import type { Percentiles } from './benchmarks-md.js';
import { percentile } from '../engine/percentile.js';

const PPS = 128;
const SIZE = 200;
export const DELAY_TARGET_MS = 1000 / PPS + 2;

export interface DelayTargetRow {
  /** 'pooled' for the four scenarios together (losses weighted by how many there were). */
  scenario: string;
  loss: number;
  /** Bytes ÷ FEC off the byte target allows at this loss. */
  byteLimit: number;
  /** Repairs per source that budget buys any code at most. */
  repairBudget: number;
  boundMs: number;
  idealP99Ms: number;
  oracleP99Ms: number;
  ours: Percentiles;
  /** Ours, bytes ÷ FEC off (the larger direction). */
  oursBytes: number;
}

export interface DelayTargetResult {
  pps: number;
  packetsPerDirection: number;
  targetMs: number;
  rows: DelayTargetRow[];
}

const SCENARIOS = [
  { scenario: 'iid 1%', loss: 0.01, byteLimit: 1.3 },
  { scenario: 'iid 5%', loss: 0.05, byteLimit: 2 },
  { scenario: 'iid 10%', loss: 0.1, byteLimit: 2 },
  { scenario: 'iid 20%', loss: 0.2, byteLimit: 2 },
];

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const p99 = (xs: number[]): number => r3(percentile(xs, 99));

export function measureDelayTargets(quick: boolean): DelayTargetResult {
  const packets = quick ? 20_000 : 200_000;
  const interval = 1000 / PPS;
  const rows: DelayTargetRow[] = [];
  const pooled = { ours: [] as number[], ideal: [] as number[], oracle: [] as number[] };
  const boundScenarios: DelayBoundScenario[] = [];
  for (const [i, s] of SCENARIOS.entries()) {
    const rho = repairBudget(s.byteLimit, SIZE);
    const sim = simulateFec({
      setting: { kind: 'adaptive', budget: 'balanced' },
      pps: PPS,
      size: SIZE,
      packets,
      loss: { name: s.scenario, loss: s.loss },
      seed: 4000 + i,
      oracle: true,
    });
    const ours = [...sim.up.delaysMs, ...sim.down.delaysMs];
    const oracle = [...sim.up.oracleDelaysMs!, ...sim.down.oracleDelaysMs!];
    const ideal = idealScheduleDelays({
      loss: s.loss,
      repairsPerSource: rho,
      intervalMs: interval,
      packets: 2 * packets,
      seed: 5000 + i,
    });
    pooled.ours.push(...ours);
    pooled.oracle.push(...oracle);
    pooled.ideal.push(...ideal);
    boundScenarios.push({ loss: s.loss, repairsPerSource: rho, weight: s.loss });
    rows.push({
      ...s,
      repairBudget: r3(rho),
      boundMs: r3(delayLowerBoundMs([{ loss: s.loss, repairsPerSource: rho }], interval)),
      idealP99Ms: p99(ideal),
      oracleP99Ms: p99(oracle),
      ours: { p50: r3(percentile(ours, 50)), p99: p99(ours), n: ours.length },
      oursBytes: r3(Math.max(sim.up.bytesVsOff, sim.down.bytesVsOff)),
    });
  }
  rows.push({
    scenario: 'pooled',
    loss: NaN,
    byteLimit: NaN,
    repairBudget: NaN,
    boundMs: r3(delayLowerBoundMs(boundScenarios, interval)),
    idealP99Ms: p99(pooled.ideal),
    oracleP99Ms: p99(pooled.oracle),
    ours: { p50: r3(percentile(pooled.ours, 50)), p99: p99(pooled.ours), n: pooled.ours.length },
    oursBytes: NaN,
  });
  return { pps: PPS, packetsPerDirection: packets, targetMs: r3(DELAY_TARGET_MS), rows };
}

/** The verdict for one row: met, infeasible (the bound itself is above the target) or missed. */
export function delayVerdict(row: DelayTargetRow, targetMs: number): string {
  if (row.ours.p99 <= targetMs) return 'met';
  if (row.boundMs > targetMs) return `infeasible within the byte target: bound ${row.boundMs.toFixed(2)} ms`;
  if (row.idealP99Ms > targetMs)
    return `missed; out of reach of an ideal linear code too (${row.idealP99Ms.toFixed(2)} ms)`;
  return '**missed**';
}
