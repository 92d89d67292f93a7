import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { validateBoostRequest } from './boost-request.js';
import { JitterEstimator } from './jitter.js';
import { KeepaliveTracker } from './keepalive-tracker.js';
import { percentile } from './percentile.js';
import { NearestSelector, scoreSample } from './route-selector.js';
import { SequenceWindow } from './sequence-window.js';

describe('SequenceWindow', () => {
  it('counts gaps as loss, spots duplicates, and survives u16 wraparound', () => {
    const w = new SequenceWindow();
    const seqs = [65530, 65531, 65533, 65534, 65535, 0, 1, 3];
    for (const s of seqs) expect(w.observe(s)).toBe('new');
    expect(w.expected).toBe(10); // 65530 .. 3
    expect(w.received).toBe(8);
    expect(w.observe(0)).toBe('duplicate');
    expect(w.observe(65532)).toBe('new'); // late, not lost after all
    expect(w.received).toBe(9);
    expect(w.observe(65532)).toBe('duplicate');
  });

  it('matches a model for any arrival order within the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65535 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 200 }),
        (start, offsets) => {
          const w = new SequenceWindow();
          const seen = new Set<number>();
          for (const off of offsets) {
            const verdict = w.observe((start + off) & 0xffff);
            // The first packet anchors the window; older ones than it may be 'new' (late) too.
            expect(verdict).toBe(seen.has(off) ? 'duplicate' : 'new');
            seen.add(off);
          }
          expect(w.received).toBe(seen.size);
          expect(w.expected).toBe(Math.max(...offsets) - offsets[0]! + 1);
        },
      ),
    );
  });
});

describe('KeepaliveTracker', () => {
  it('measures RTT from its own send times and counts consecutive misses', () => {
    const k = new KeepaliveTracker();
    const a = k.next(1000);
    const b = k.next(1500);
    const c = k.next(2000);
    expect(k.onReply(a, 1010)).toBe(10);
    expect(k.expire(a)).toBe(false); // already answered
    expect(k.expire(b)).toBe(true);
    expect(k.expire(c)).toBe(true);
    expect(k.consecutiveMisses).toBe(2);
    expect(k.onReply(999, 2100)).toBeNull(); // answers nothing we sent, but proves the relay is alive
    expect(k.consecutiveMisses).toBe(0);
    const i = k.takeInterval();
    expect(i).toEqual({ answered: 1, missed: 2, rtts: [10] });
    expect(k.takeInterval()).toEqual({ answered: 0, missed: 0, rtts: [] });
  });

  it('reports loss over the last 20 judged keepalives, forgetting older verdicts', () => {
    const k = new KeepaliveTracker();
    expect(k.windowLoss).toBe(0);
    let t = 0;
    const answer = (): void => void k.onReply(k.next((t += 500)), t + 10);
    const lose = (): void => void k.expire(k.next((t += 500)));
    lose();
    expect(k.windowLoss).toBe(1);
    answer();
    expect(k.windowLoss).toBe(0.5);
    for (let i = 0; i < 18; i++) answer();
    expect(k.windowLoss).toBeCloseTo(1 / 20, 10);
    answer(); // the miss falls out of the window
    expect(k.windowLoss).toBe(0);
    for (let i = 0; i < 25; i++) (i % 5 === 0 ? lose : answer)();
    expect(k.windowLoss).toBeCloseTo(4 / 20, 10);
  });
});

describe('JitterEstimator (RFC 3550)', () => {
  it('is zero for constant transit whatever the clock offset, and grows with variation', () => {
    const j = new JitterEstimator();
    for (let i = 0; i < 50; i++) j.observe((4_000_000_000 + i * 10_000) >>> 0, (i * 10_000 + 777) >>> 0);
    expect(j.ms).toBe(0);
    for (let i = 0; i < 200; i++) j.observe(i * 10_000, i * 10_000 + (i % 2 === 0 ? 0 : 4000));
    // Alternating ±4 ms transit: |D| = 4 ms every packet, so J converges to 4 ms.
    expect(j.ms).toBeGreaterThan(3.9);
    expect(j.ms).toBeLessThanOrEqual(4);
  });
});

describe('NearestSelector', () => {
  const relay = (id: string) => ({ host: '127.0.0.1', port: 1, id });
  it('ranks by median RTT plus a loss penalty, unreachable last, ties in configured order', async () => {
    const samples = {
      fast: [10, 11, 12, 200, 10],
      lossy: [5, 5],
      slow: [30, 31, 29, 30, 30],
      dead: [],
      tie: [30, 31, 29, 30, 30],
    } as Record<string, number[]>;
    const selector = new NearestSelector({ lossPenaltyMs: 500 });
    const ranked = await selector.rank(Object.keys(samples).map(relay), {
      probe: (relays) =>
        Promise.resolve(
          relays.map((r) => ({
            endpoint: r,
            relay: { id: r.id!, address: '127.0.0.1:1' },
            sent: 5,
            rtts: samples[r.id!]!,
          })),
        ),
    });
    expect(ranked.map((r) => r.relay.id)).toEqual(['fast', 'slow', 'tie', 'lossy', 'dead']);
    expect(ranked[0]!.rttMedianMs).toBe(11);
    expect(ranked.find((r) => r.relay.id === 'lossy')!.score).toBe(5 + 500 * 0.6);
    expect(ranked[4]!.reachable).toBe(false);
    expect(ranked[4]!.score).toBe(Infinity);
  });

  it('scoreSample treats nothing sent as total loss', () => {
    const s = scoreSample({ endpoint: relay('x'), relay: { id: 'x', address: 'x' }, sent: 0, rtts: [] }, 500);
    expect(s.loss).toBe(1);
    expect(s.reachable).toBe(false);
  });
});

describe('validateBoostRequest', () => {
  const ok = { routes: [{ server: '127.0.0.1:7777' }], relays: [{ host: '127.0.0.1', port: 4434 }], fecK: 4 };
  it('accepts a good request and names the field of a bad one', () => {
    expect(validateBoostRequest(ok)).toBeNull();
    expect(validateBoostRequest({ ...ok, routes: [] })).toMatch(/^routes/);
    expect(validateBoostRequest({ ...ok, routes: [{ server: 'nope' }] })).toMatch(/routes\[0\]\.server/);
    expect(validateBoostRequest({ ...ok, relays: [] })).toMatch(/^relays/);
    expect(validateBoostRequest({ ...ok, fecK: 1 })).toMatch(/^fecK/);
    expect(validateBoostRequest({ ...ok, fecK: 17 })).toMatch(/^fecK/);
    expect(validateBoostRequest({ ...ok, token: 256 })).toMatch(/^token/);
  });
});

describe('percentile', () => {
  it('uses nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});
