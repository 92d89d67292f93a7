import type { BoostRequest } from '@lightspeed/shared';
import { describe, expect, it } from 'vitest';

import { unprobed } from './relay-choice.js';
import { selectorExtras, serverHost, sessionFeedback } from './route-learning.js';

const server = { address: '10.1.2.3', ip: 0x0a010203, port: 27015 };
const request = (over: Partial<BoostRequest> = {}): BoostRequest => ({
  routes: [{ server: 'game.example:27015' }],
  relays: [{ host: '127.0.0.1', port: 4000 }],
  fecK: 0,
  ...over,
});

describe('route learning', () => {
  it("names the server by the request's host, else its address", () => {
    expect(serverHost(request(), server)).toBe('game.example');
    expect(serverHost(request({ routes: [] }), server)).toBe('10.1.2.3');
    expect(serverHost(null, null)).toBe('');
  });

  it('adds the game and the server to the selector context once known', () => {
    expect(selectorExtras(request(), null)).toEqual({});
    expect(selectorExtras(request({ gameId: 7 }), server)).toEqual({
      gameId: 7,
      server: { host: 'game.example', ...server },
    });
  });

  it("feeds back the session relay's RTT and leg, only when both are known", () => {
    const r = { ...unprobed({ id: 'r1', host: '127.0.0.1', port: 4000 }), rttMedianMs: 20, serverLegMs: 15 };
    expect(sessionFeedback([r], 'r1', request(), server)).toEqual({
      relay: r,
      server: { host: 'game.example', port: 27015 },
      rttMs: 20,
      legMs: 15,
    });
    expect(sessionFeedback([r], 'other', request(), server)).toBeNull();
    expect(sessionFeedback(undefined, 'r1', request(), server)).toBeNull();
    expect(sessionFeedback([r], 'r1', request(), null)).toBeNull();
    expect(sessionFeedback([{ ...r, rttMedianMs: null }], 'r1', request(), server)).toBeNull();
  });
});
