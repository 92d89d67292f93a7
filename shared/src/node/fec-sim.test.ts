import { describe, expect, it } from 'vitest';

import { simulateFec, type SimOptions } from './fec-sim.js';

const base: Omit<SimOptions, 'setting'> = {
  pps: 128,
  size: 200,
  packets: 4000,
  loss: { name: 'iid 10%', loss: 0.1 },
  seed: 5,
};

describe('code-level FEC simulation', () => {
  it('is deterministic: the same options give the same numbers', () => {
    const a = simulateFec({ ...base, setting: { kind: 'adaptive', budget: 'balanced' } });
    const b = simulateFec({ ...base, setting: { kind: 'adaptive', budget: 'balanced' } });
    expect(b).toEqual(a);
  });

  it('off loses what the link loses at 1× the bytes; v2 and v3 repair, v3 negotiates and loses far less', () => {
    const off = simulateFec({ ...base, setting: { kind: 'off' } });
    expect(off.up.bytesVsOff).toBe(1);
    expect(off.up.residualLoss).toBeGreaterThan(0.08);
    const xor = simulateFec({ ...base, setting: { kind: 'xor', k: 4 } });
    const v3 = simulateFec({ ...base, setting: { kind: 'adaptive', budget: 'balanced' } });
    expect([v3.versionUp, v3.versionDown]).toEqual([3, 3]);
    expect([xor.versionUp, xor.versionDown]).toEqual([2, 2]);
    expect(xor.up.residualLoss).toBeLessThan(off.up.residualLoss / 3);
    expect(v3.up.residualLoss).toBeLessThan(xor.up.residualLoss / 3);
    expect(v3.down.residualLoss).toBeLessThan(xor.down.residualLoss / 3);
    expect(v3.up.bytesVsOff).toBeLessThan(xor.up.bytesVsOff);
    expect(v3.up.recovered).toBeGreaterThan(0);
  });
});
