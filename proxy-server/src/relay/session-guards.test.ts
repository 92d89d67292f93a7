import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { admitReply, claimDestination, nextSeq, takeTokens } from './session-guards.js';
import { MAX_KNOWN_PEERS, Session } from './session.js';

const session = (pps = 10, bps = 1000): Session =>
  new Session('k', '1.2.3.4', 5, 0x01020304, 1, 4, 0, 0, pps, bps);

describe('takeTokens', () => {
  it('never admits more than one burst plus what the elapsed time refills (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 100, max: 100_000 }),
        fc.array(
          fc.record({
            gapMs: fc.double({ min: 0, max: 50, noNaN: true }),
            bytes: fc.integer({ min: 20, max: 1500 }),
          }),
          {
            maxLength: 300,
          },
        ),
        (pps, bps, packets) => {
          const s = session(pps, bps);
          let now = 0;
          let admitted = 0;
          let admittedBytes = 0;
          for (const p of packets) {
            now += p.gapMs;
            if (takeTokens(s, p.bytes, now, pps, bps)) {
              admitted++;
              admittedBytes += p.bytes;
            }
          }
          expect(admitted).toBeLessThanOrEqual(pps + (now * pps) / 1000 + 1e-9);
          expect(admittedBytes).toBeLessThanOrEqual(bps + (now * bps) / 1000 + 1e-6);
        },
      ),
    );
  });

  it('refills with time', () => {
    const s = session(2, 10_000);
    expect([
      takeTokens(s, 20, 0, 2, 10_000),
      takeTokens(s, 20, 0, 2, 10_000),
      takeTokens(s, 20, 0, 2, 10_000),
    ]).toEqual([true, true, false]);
    expect(takeTokens(s, 20, 500, 2, 10_000)).toBe(true);
  });
});

describe('admitReply', () => {
  it('holds replies to the bytes received until the first one fits', () => {
    const s = session();
    s.bytesIn = 100;
    expect(admitReply(s, 101)).toBe(false);
    expect(s.answered).toBe(false);
    expect(admitReply(s, 100)).toBe(true);
    expect(s.answered).toBe(true);
    expect(admitReply(s, 10_000)).toBe(true);
  });
});

describe('claimDestination', () => {
  it('caps distinct destinations per window and forgets the oldest known peers', () => {
    const s = session();
    expect(claimDestination(s, 1, 0, 1000, 2)).toBe(true);
    expect(claimDestination(s, 2, 10, 1000, 2)).toBe(true);
    expect(claimDestination(s, 1, 20, 1000, 2)).toBe(true); // already counted
    expect(claimDestination(s, 3, 30, 1000, 2)).toBe(false);
    expect(claimDestination(s, 3, 1000, 1000, 2)).toBe(true); // new window
    expect(s.peers).toEqual([1, 2, 3]);
    for (let key = 10; key < 10 + MAX_KNOWN_PEERS; key++)
      claimDestination(s, key, 5000 + key * 1000, 1000, 2);
    expect(s.peers).toHaveLength(MAX_KNOWN_PEERS);
    expect(s.peers).not.toContain(1);
  });
});

describe('nextSeq', () => {
  it('counts from 0 and wraps at 2^16', () => {
    const s = session();
    expect([nextSeq(s), nextSeq(s)]).toEqual([0, 1]);
    s.replySeq = 0xffff;
    expect([nextSeq(s), nextSeq(s)]).toEqual([0xffff, 0]);
  });
});
