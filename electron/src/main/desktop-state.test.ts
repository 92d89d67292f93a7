import { describe, expect, it } from 'vitest';

import { DEFAULT_SETTINGS } from '@lightspeed/shared';

import { desktopStateSchema, lastBoostFrom, startingSettings } from './desktop-state.js';

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

describe('starting settings (one settings file with the dashboard and the CLI)', () => {
  const shared = { ...DEFAULT_SETTINGS, routeSelector: 'nearest' as const };
  const old = desktopStateSchema.parse({ settings: { ...DEFAULT_SETTINGS, keepaliveIntervalMs: 750 } });
  const file = { source: 'file' as const };
  const missing = { source: 'defaults' as const, reason: null };
  const corrupt = { source: 'defaults' as const, reason: 'not JSON' };

  it('uses the shared file when it exists, whatever the app kept before', () => {
    expect(startingSettings({ settings: shared, outcome: file }, { state: old, outcome: file })).toEqual({
      settings: shared,
      adopt: false,
    });
  });

  it("carries the app's own settings over once, when the shared file does not exist yet", () => {
    const r = startingSettings(
      { settings: DEFAULT_SETTINGS, outcome: missing },
      { state: old, outcome: file },
    );
    expect(r).toEqual({ settings: old.settings, adopt: true });
    expect(r.settings.keepaliveIntervalMs).toBe(750);
  });

  it('never replaces a shared file that is corrupt (it was set aside; defaults), nor adopts nothing', () => {
    expect(
      startingSettings({ settings: DEFAULT_SETTINGS, outcome: corrupt }, { state: old, outcome: file }).adopt,
    ).toBe(false);
    const none = desktopStateSchema.parse({});
    expect(
      startingSettings({ settings: DEFAULT_SETTINGS, outcome: missing }, { state: none, outcome: missing }),
    ).toEqual({
      settings: DEFAULT_SETTINGS,
      adopt: false,
    });
  });
});
