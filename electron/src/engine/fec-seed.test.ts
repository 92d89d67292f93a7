import { describe, expect, it } from 'vitest';

import { KEEPALIVE_SEED_MIN, fecSeed } from './fec-seed.js';

const est = (loss: number, datagrams: number): { loss: number; meanBurst: number; datagrams: number } => ({
  loss,
  meanBurst: 1,
  datagrams,
});
const noKeepalives = { loss: 0, judged: 0 };

describe('where a new flow starts its v3 repair rate', () => {
  it('takes the flow estimate with the most datagrams behind it, open flows before the closed one', () => {
    expect(
      fecSeed({
        live: [null, est(0.05, 300), est(0.1, 1000)],
        closed: est(0.2, 1000),
        keepalive: noKeepalives,
      }),
    ).toEqual(est(0.1, 1000));
    expect(fecSeed({ live: [null], closed: est(0.2, 50), keepalive: { loss: 0.5, judged: 20 } })).toEqual(
      est(0.2, 50),
    );
  });

  it('else the keepalives’ round-trip loss, as a one-way loss weighed like the start-up guess', () => {
    const s = fecSeed({ live: [], closed: null, keepalive: { loss: 0.19, judged: 20 } })!;
    expect(s.loss).toBeCloseTo(1 - Math.sqrt(0.81), 9); // 10% each way
    expect(s.datagrams).toBe(0);
  });

  it('is null while nothing is known: no flow estimate and too few keepalives', () => {
    expect(
      fecSeed({ live: [null], closed: null, keepalive: { loss: 0.2, judged: KEEPALIVE_SEED_MIN - 1 } }),
    ).toBeNull();
    expect(fecSeed({ live: [], closed: null, keepalive: { loss: Number.NaN, judged: 20 } })).toBeNull();
  });
});
