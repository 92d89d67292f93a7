import { describe, expect, it } from 'vitest';

import { pickNext, unprobed } from './relay-choice.js';

const ranking = ['a', 'b', 'c'].map((id, i) => unprobed({ id, host: '127.0.0.1', port: 4000 + i }));
const ids = (r: { relay: { id: string } } | null): string | null => r?.relay.id ?? null;

describe('pickNext', () => {
  it('takes the best-ranked other relay outside the hold-down', () => {
    expect(ids(pickNext(ranking, new Map(), 'a', 1000, 300))).toBe('b');
    expect(ids(pickNext(ranking, new Map([['b', 900]]), 'a', 1000, 300))).toBe('c');
    // Once the hold-down has passed, b is a fresh candidate again.
    expect(ids(pickNext(ranking, new Map([['b', 600]]), 'a', 1000, 300))).toBe('b');
  });

  it('with every other relay held down, takes the one that failed longest ago', () => {
    const failed = new Map([
      ['b', 950],
      ['c', 800],
    ]);
    expect(ids(pickNext(ranking, failed, 'a', 1000, 300))).toBe('c');
  });

  it('says null when there is no other relay', () => {
    expect(pickNext(ranking.slice(0, 1), new Map(), 'a', 0, 300)).toBeNull();
  });
});

describe('unprobed', () => {
  it('is a reachable ranking entry with no measurements', () => {
    expect(unprobed({ host: 'relay.example', port: 4000, region: 'eu' })).toMatchObject({
      relay: { id: 'relay.example:4000', address: 'relay.example:4000', region: 'eu' },
      rttMedianMs: null,
      reachable: true,
    });
  });
});
