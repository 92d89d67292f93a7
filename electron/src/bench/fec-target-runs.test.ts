import { describe, expect, it } from 'vitest';

import { upperBound95 } from './fec-target-runs.js';

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
