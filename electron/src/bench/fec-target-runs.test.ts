import { describe, expect, it } from 'vitest';

import { MAX_BATCHES, needsAnotherBatch, upperBound95 } from './fec-target-runs.js';

describe('exact 95% upper bound of a residual loss', () => {
  it('is 1 − 0.05^(1/n) for no losses: 30,000 clean round trips resolve 0.01%', () => {
    expect(upperBound95(0, 30_000)).toBeCloseTo(1 - 0.05 ** (1 / 30_000), 9);
    expect(upperBound95(0, 30_000)).toBeLessThan(0.0001);
    expect(upperBound95(0, 20_000)).toBeGreaterThan(0.0001);
  });

  it('matches the Clopper–Pearson one-sided bound with losses, and grows with them', () => {
    expect(upperBound95(1, 100)).toBeCloseTo(0.0465, 3);
    expect(upperBound95(5, 1000)).toBeCloseTo(0.0105, 3);
    expect(upperBound95(6, 1000)).toBeGreaterThan(upperBound95(5, 1000));
    expect(upperBound95(3, 3)).toBe(1);
  });
});

describe('when a target run takes another batch', () => {
  it('while the 95% bound is above the target and the estimate under it, within the batch limit', () => {
    // 1 lost of 30,720 at the 0.01% target: 0.003%, bound 0.015% — unresolved, so another batch.
    expect(needsAnotherBatch(1, 30_720, 0.0001, 1)).toBe(true);
    // 1 of 61,440: bound 0.0077% — resolved.
    expect(needsAnotherBatch(1, 61_440, 0.0001, 2)).toBe(false);
    // Bounded: never past the limit of batches, whatever the bound.
    expect(needsAnotherBatch(3, 61_440, 0.0001, MAX_BATCHES)).toBe(false);
    // An estimate already above the target is a miss more data will not turn around; no target, no batch.
    expect(needsAnotherBatch(5, 30_720, 0.0001, 1)).toBe(false);
    expect(needsAnotherBatch(0, 30_720, undefined, 1)).toBe(false);
  });
});
