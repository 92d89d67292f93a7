import { describe, expect, it } from 'vitest';

import { PRIOR, simRows } from './evaluation.js';
import { FEATURE_NAMES, estimateServerRegion, featureVector, serverPrefix } from './features.js';
import { REGIONS, regionIndex, regionRttMs } from './regions.js';
import { makeWorld, scenarios } from './sim-world.js';

describe('simulated world', () => {
  it('is deterministic from its seed', () => {
    const a = scenarios([makeWorld(3)], [0, 1], 4, PRIOR.scenarioSeed);
    const b = scenarios([makeWorld(3)], [0, 1], 4, PRIOR.scenarioSeed);
    expect(a).toEqual(b);
    expect(a.map((s) => s.cls)).toEqual([
      'cold',
      'history',
      'legs',
      'full',
      'cold',
      'history',
      'legs',
      'full',
    ]);
  });

  it('gives one feature vector and one target per candidate, nothing NaN', () => {
    const { rows, targets } = simRows(scenarios([makeWorld(1)], [0], 8, 1));
    expect(rows.length).toBe(targets.length);
    for (const r of rows) {
      expect(r.length).toBe(FEATURE_NAMES.length);
      expect(r.every(Number.isFinite)).toBe(true);
    }
  });

  it('makes nearest wrong sometimes: the fastest relay is not always the closest', () => {
    const list = scenarios([makeWorld(1), makeWorld(2)], [0, 1, 2], 8, 7);
    const misses = list.filter((s) => {
      const byRtt = [...s.candidates].sort((x, y) => x.info.rttP50Ms - y.info.rttP50Ms)[0]!;
      const byTruth = [...s.candidates].sort((x, y) => x.trueMs - y.trueMs)[0]!;
      return byRtt.relay !== byTruth.relay;
    });
    expect(misses.length).toBeGreaterThan(0);
    expect(misses.length).toBeLessThan(list.length);
  });
});

describe('features', () => {
  it('triangulates the server region from two legs, and needs a short one when alone', () => {
    const euw = regionIndex('eu-west');
    const use = regionIndex('us-east');
    const base = { rttP50Ms: 10, rttP95Ms: 12, jitterMs: 1, loss: 0, serverRegion: -1, hour: 12 };
    const legTo = (from: number, to: number): number => regionRttMs(from, to) * 1.25;
    expect(
      estimateServerRegion(
        [
          { ...base, relayRegion: euw, reportedLegMs: legTo(euw, use) },
          {
            ...base,
            relayRegion: regionIndex('asia-east'),
            reportedLegMs: legTo(regionIndex('asia-east'), use),
          },
        ],
        REGIONS.length,
      ),
    ).toBe(use);
    expect(estimateServerRegion([{ ...base, relayRegion: euw, reportedLegMs: 8 }], REGIONS.length)).toBe(euw);
    expect(estimateServerRegion([{ ...base, relayRegion: euw, reportedLegMs: 80 }], REGIONS.length)).toBe(-1);
    expect(featureVector({ ...base, relayRegion: -1 }).slice(-2)).toEqual([0, -1]);
  });

  it('keys history by /24 for IPv4 and by name otherwise', () => {
    expect(serverPrefix('203.0.113.77')).toBe('203.0.113.0/24');
    expect(serverPrefix('Game.Example.com')).toBe('game.example.com');
  });
});
