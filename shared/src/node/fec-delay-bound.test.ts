import { describe, expect, it } from 'vitest';

import { delayLowerBoundMs, repairBudget, waitAtLeast } from './fec-delay-bound.js';
import { idealScheduleDelays } from './fec-oracle.js';
import { simulateFec } from './fec-sim.js';

const INTERVAL = 1000 / 128;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(0.99 * xs.length)]!;

describe('recovery delay bound for any code within a byte budget', () => {
  it('turns a byte budget into repairs per source (sources at least FEC off, repairs at least the payload)', () => {
    expect(repairBudget(1.3, 200)).toBeCloseTo(0.33, 9);
    expect(repairBudget(2, 200)).toBeCloseTo(1.1, 9);
    expect(repairBudget(1, 200)).toBe(0);
  });

  it('is the convex hull of p^s: no repair at all for 1 − ρ of sources below one repair each', () => {
    expect(waitAtLeast(0.01, 0.33, 1)).toBeCloseTo(0.67 + 0.33 * 0.01, 9);
    expect(waitAtLeast(0.2, 1, 2)).toBeCloseTo(0.04, 9);
    expect(waitAtLeast(0.2, 1.1, 3)).toBeCloseTo(0.008 * 0.7 + 0.0016 * 0.3, 9);
  });

  it('at 128 pps: 3 intervals at 1% (1.3×), 1 at 5% and 10%, 2 at 20% (2×); pooled 2', () => {
    const b = (loss: number, limit: number): number =>
      delayLowerBoundMs([{ loss, repairsPerSource: repairBudget(limit, 200) }], INTERVAL) / INTERVAL;
    expect([b(0.01, 1.3), b(0.05, 2), b(0.1, 2), b(0.2, 2)].map(Math.round)).toEqual([3, 1, 1, 2]);
    const pooled = delayLowerBoundMs(
      [
        { loss: 0.01, repairsPerSource: repairBudget(1.3, 200), weight: 1 },
        { loss: 0.05, repairsPerSource: repairBudget(2, 200), weight: 5 },
        { loss: 0.1, repairsPerSource: repairBudget(2, 200), weight: 10 },
        { loss: 0.2, repairsPerSource: repairBudget(2, 200), weight: 20 },
      ],
      INTERVAL,
    );
    expect(Math.round(pooled / INTERVAL)).toBe(2);
  });

  it('holds: neither the ideal decoder on an ideal schedule nor our link gets below it', () => {
    for (const [loss, limit] of [
      [0.01, 1.3],
      [0.2, 2],
    ] as const) {
      const rho = repairBudget(limit, 200);
      const bound = delayLowerBoundMs([{ loss, repairsPerSource: rho }], INTERVAL);
      const ideal = idealScheduleDelays({
        loss,
        repairsPerSource: rho,
        intervalMs: INTERVAL,
        packets: 60_000,
        seed: 3,
      });
      expect(p99(ideal)).toBeGreaterThanOrEqual(bound - 1e-6);
      const ours = simulateFec({
        setting: { kind: 'adaptive', budget: 'balanced' },
        pps: 128,
        size: 200,
        packets: 20_000,
        loss: { name: 'iid', loss },
        seed: 11,
      });
      expect(p99([...ours.up.delaysMs, ...ours.down.delaysMs])).toBeGreaterThanOrEqual(bound - 1e-6);
    }
  });
});

describe('ideal decoder on our schedule', () => {
  it('rebuilds nothing sooner than our SlidingDecoder on the same datagrams (ours is exact for the schedule)', () => {
    const r = simulateFec({
      setting: { kind: 'adaptive', budget: 'balanced' },
      pps: 128,
      size: 200,
      packets: 8000,
      loss: { name: 'iid 10%', loss: 0.1 },
      seed: 4,
      oracle: true,
    });
    const ours = r.up.delaysMs;
    const ideal = r.up.oracleDelaysMs!;
    expect(ideal.length).toBeGreaterThan(600);
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Same losses rebuilt, at the same moments (to the 0.01 ms the relay's send offset adds).
    expect(Math.abs(ideal.length - ours.length)).toBeLessThanOrEqual(2);
    expect(Math.abs(sum(ideal) - sum(ours))).toBeLessThan(0.02 * sum(ours) + 1);
    expect(Math.abs(p99(ideal) - p99(ours))).toBeLessThan(0.1);
  });
});
