import type { BoostStats, BoostStatus } from '@lightspeed/shared';
import { describe, expect, it } from 'vitest';

import { HISTORY_LIMIT, initialBoost, withStats, withStatus } from './slices.js';

const sample = (atMs: number): BoostStats => ({
  atMs,
  relay: null,
  rtt: { min: 1, p50: 2, p95: 3, last: 2 },
  jitterMs: 0,
  lossUp: 0,
  lossDown: 0,
  lossDownAfterFec: 0,
  fecRecovered: 0,
  packetsUp: 0,
  packetsDown: 0,
  bytesUp: 0,
  bytesDown: 0,
});

const session = (startedAtMs: number): BoostStatus => ({
  state: { state: 'connecting', relay: { id: 'r', address: '127.0.0.1:1' } },
  session: {
    gameId: 'g',
    name: 'G',
    server: '127.0.0.1:2',
    routes: [],
    relayChoice: { kind: 'auto' },
    startedAtMs,
  },
});

describe('boost slice', () => {
  it('keeps at most HISTORY_LIMIT samples, oldest dropped, and ignores samples that are not newer', () => {
    let slice = initialBoost;
    for (let i = 1; i <= HISTORY_LIMIT + 25; i++) slice = withStats(slice, sample(i * 1000));
    expect(slice.history).toHaveLength(HISTORY_LIMIT);
    expect(slice.history[0]!.atMs).toBe(26_000);
    expect(slice.history.at(-1)!.atMs).toBe((HISTORY_LIMIT + 25) * 1000);
    const replay = withStats(slice, sample(5000));
    expect(replay.history).toBe(slice.history);
    expect(replay.stats?.atMs).toBe(5000);
  });

  it('clears history when a new session starts, not on state changes within one', () => {
    let slice = withStatus(initialBoost, session(100));
    slice = withStats(slice, sample(1000));
    slice = withStatus(slice, {
      ...session(100),
      state: { state: 'active', relay: { id: 'r', address: '127.0.0.1:1' }, sinceMs: 1 },
    });
    expect(slice.history).toHaveLength(1);
    slice = withStatus(slice, { state: { state: 'idle' }, session: null });
    expect(slice.history).toHaveLength(1);
    slice = withStatus(slice, session(200));
    expect(slice.history).toEqual([]);
    expect(slice.stats).toBeNull();
  });
});
