import { describe, expect, it } from 'vitest';

import { LinkEstimate, LOSS_PENALTY_MS, deadProbes, linkCost, shortestPaths } from './link-state.js';
import type { LsaEntry } from './mesh-frame.js';

const e = (peer: string, rttMs: number, loss = 0): LsaEntry => ({
  peer,
  rttUs: rttMs * 1000,
  lossBp: loss * 10000,
});

describe('link state', () => {
  it('EWMA: the first sample sets the RTT, later ones move it by a fifth; misses raise loss', () => {
    const l = new LinkEstimate();
    expect(l.up(0, 1000)).toBe(false);
    l.sample(10, 0);
    expect(l.rttMs).toBe(10);
    l.sample(20, 1);
    expect(l.rttMs).toBeCloseTo(12);
    l.missed();
    expect(l.loss).toBeCloseTo(0.2);
    // loss 0.2: 9 silent intervals before down (0.2^9 < 1e-6); 3 on a clean link.
    expect(deadProbes(0)).toBe(3);
    expect(deadProbes(0.2)).toBe(9);
    expect(deadProbes(0.9)).toBe(10);
    expect(l.up(1 + 9 * 100, 100)).toBe(true);
    expect(l.up(2 + 9 * 100, 100)).toBe(false);
    const clean = new LinkEstimate();
    clean.sample(5, 0);
    expect(clean.up(300, 100)).toBe(true);
    expect(clean.up(301, 100)).toBe(false);
  });

  it('cost adds a loss penalty', () => {
    expect(linkCost(10, 0.1)).toBe(10 + LOSS_PENALTY_MS * 0.1);
  });

  it('Dijkstra takes two fast hops over one slow one, and loss counts', () => {
    const m = new Map([
      ['r1', [e('r2', 1), e('r3', 60)]],
      ['r2', [e('r1', 1), e('r3', 1)]],
      ['r3', [e('r1', 60), e('r2', 1)]],
    ]);
    const routes = shortestPaths('r1', m);
    expect(routes.get('r3')?.path).toEqual(['r1', 'r2', 'r3']);
    expect(routes.get('r2')?.path).toEqual(['r1', 'r2']);
    expect(routes.get('r1')?.path).toEqual(['r1']);
    // 20% loss on r2-r3 costs 100 ms: the direct 60 ms link wins.
    m.set('r2', [e('r1', 1), e('r3', 1, 0.2)]);
    expect(shortestPaths('r1', m).get('r3')?.path).toEqual(['r1', 'r3']);
  });

  it('a link only one end advertises is not used; unreachable nodes have no route', () => {
    const m = new Map([
      ['a', [e('b', 1)]],
      ['b', [e('c', 1)]],
      ['c', [e('b', 1)]],
    ]);
    const routes = shortestPaths('a', m);
    expect(routes.has('b')).toBe(false);
    expect(routes.has('c')).toBe(false);
  });
});
