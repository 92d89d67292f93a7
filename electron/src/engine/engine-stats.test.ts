import { describe, expect, it } from 'vitest';

import { newCounters } from './counters.js';
import { buildStats, type StatsFlow, type StatsLink } from './engine-stats.js';

const ref = { id: 'r1', address: '127.0.0.1:4000' };
const link = (alive: boolean, windowLoss = 0.25, rttJitterMs = 3): StatsLink => ({
  o: { ref },
  alive,
  keepalives: { windowLoss, rttJitterMs },
});
const flow = (replies: number, jitterMs: number, fecVersion: 1 | 2 | 3): StatsFlow => ({
  repliesThisInterval: replies,
  jitter: { ms: jitterMs },
  fecVersion,
});

describe('buildStats', () => {
  it('reads loss from the interval counters and the FEC residue from lost/(data+recovered+lost)', () => {
    const prev = { ...newCounters(), downExpected: 100, downReceived: 95, dataReceived: 80, fecLost: 1 };
    const counters = {
      ...prev,
      downExpected: 200,
      downReceived: 185,
      dataReceived: 160,
      fecRecovered: 6,
      fecLost: 3,
      packetsUp: 7,
    };
    const { stats, interval } = buildStats({
      atMs: 42,
      link: link(true),
      flows: [flow(3, 4, 2), flow(0, 100, 3)],
      rtts: [30, 10, 20],
      counters,
      prev,
      fec: true,
    });
    expect(stats.atMs).toBe(42);
    expect(stats.relay).toEqual(ref);
    expect(stats.lossDown).toBeCloseTo(0.1); // 90 of 100 this interval
    expect(stats.lossDownAfterFec).toBeCloseTo(2 / (80 + 6 + 2));
    expect(stats.rtt).toEqual({ min: 10, p50: 20, p95: 30, last: 20 });
    expect(stats.jitterMs).toBe(4); // only flows with replies this interval
    expect(stats.fecVersion).toBe(3);
    expect(stats.flows).toBe(2);
    expect(stats.packetsUp).toBe(7);
    expect(stats.lossUp).toBe(0.25);
    expect(interval).toEqual({
      rtts: [30, 10, 20],
      downExpected: 100,
      downReceived: 90,
      fec: true,
      fecLost: 2,
      fecData: 88,
      recoveredTotal: 6,
    });
  });

  it('with no replies: keepalive loss on a live link, 100% on a dead one or none, keepalive jitter', () => {
    const c = newCounters();
    const alive = buildStats({
      atMs: 0,
      link: link(true, 0.1, 7),
      flows: [],
      rtts: [],
      counters: c,
      prev: c,
      fec: false,
    });
    expect(alive.stats.lossDown).toBe(0.1);
    expect(alive.stats.lossDownAfterFec).toBe(0.1);
    expect(alive.stats.rtt).toBeNull();
    expect(alive.stats.jitterMs).toBe(7);
    expect(alive.stats.fecVersion).toBe(1);
    expect(alive.interval).toMatchObject({ fec: false, fecLost: 0, fecData: 0, recoveredTotal: 0 });
    const dead = buildStats({
      atMs: 0,
      link: link(false),
      flows: [],
      rtts: [],
      counters: c,
      prev: c,
      fec: false,
    });
    expect(dead.stats.lossDown).toBe(1);
    const none = buildStats({ atMs: 0, link: null, flows: [], rtts: [], counters: c, prev: c, fec: true });
    expect(none.stats).toMatchObject({
      relay: null,
      lossDown: 1,
      lossDownAfterFec: 1,
      lossUp: 0,
      jitterMs: 0,
    });
  });

  it('modifies none of its inputs', () => {
    const prev = newCounters();
    const counters = { ...prev, downExpected: 10, downReceived: 9 };
    const flows = [flow(2, 5, 2)];
    const rtts = [3, 1, 2];
    const frozen = JSON.stringify({ prev, counters, flows, rtts });
    buildStats({ atMs: 1, link: link(true), flows, rtts, counters, prev, fec: true });
    expect(JSON.stringify({ prev, counters, flows, rtts })).toBe(frozen);
  });
});
