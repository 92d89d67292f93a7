import { describe, expect, it } from 'vitest';

import { lastBoostFrom } from './desktop-state.js';

describe('last boost', () => {
  it('replays a game by id and server, or a bare server by address', () => {
    const base = { routes: [], relayChoice: { kind: 'auto' as const }, startedAtMs: 1 };
    const active = { state: 'active' as const, relay: { id: 'la-1', address: '127.0.0.1:4500' }, sinceMs: 1 };
    expect(
      lastBoostFrom({
        state: active,
        session: { ...base, gameId: 'fortnite', name: 'Fortnite', server: '10.0.0.1:7777' },
      }),
    ).toEqual({ target: { kind: 'game', gameId: 'fortnite', server: '10.0.0.1:7777' }, name: 'Fortnite' });
    expect(
      lastBoostFrom({
        state: active,
        session: { ...base, gameId: null, name: '1.2.3.4:9', server: '1.2.3.4:9' },
      }),
    ).toEqual({
      target: { kind: 'server', server: '1.2.3.4:9', name: '1.2.3.4:9' },
      name: '1.2.3.4:9',
    });
    expect(lastBoostFrom({ state: { state: 'idle' }, session: null })).toBeNull();
  });
});
