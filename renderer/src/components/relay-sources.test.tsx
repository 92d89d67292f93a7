import type { RelaySourceView } from '@lightspeed/shared';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderApp } from '../test-support/render-app.js';
import { failedSources, sourceLine } from './relay-sources.js';

afterEach(() => cleanup());

const source = (s: Partial<RelaySourceView>): RelaySourceView => ({
  kind: 'default-registry',
  url: 'https://relays.example/r.json',
  relays: 0,
  loading: false,
  error: null,
  ...s,
});

describe('relay sources', () => {
  it('says how many relays each source gives, that it is loading, or why it gave none', () => {
    expect(sourceLine(source({ relays: 3 }))).toBe("LightSpeed's relay registry: 3 relays");
    expect(sourceLine(source({ loading: true }))).toBe("LightSpeed's relay registry: loading…");
    expect(sourceLine(source({ kind: 'registry', error: 'HTTP 503' }))).toBe(
      'Your relay registry could not be loaded: HTTP 503',
    );
    expect(sourceLine({ kind: 'list', relays: 1, loading: false, error: null })).toBe(
      'Your relay list: 1 relay',
    );
    expect(
      sourceLine(source({ relays: 2, error: 'HTTP 502', cachedUntil: '2030-01-01T00:00:00.000Z' })),
    ).toMatch(
      /^LightSpeed's relay registry: 2 relays from the copy saved on this computer, valid until .* \(HTTP 502\)$/,
    );
  });

  it('counts as failed only a registry that gave nothing and is not loading', () => {
    expect(
      failedSources([
        source({ error: 'refused' }),
        source({ kind: 'registry', error: 'HTTP 502', relays: 2, cachedUntil: '2030-01-01T00:00:00.000Z' }),
        source({ kind: 'registry', loading: true, error: 'old' }),
        { kind: 'list', relays: 0, loading: false, error: null },
      ]).map((s) => s.error),
    ).toEqual(['refused']);
    expect(failedSources(undefined)).toEqual([]);
  });

  it("Settings turns LightSpeed's relays off (saved with the rest of the form)", async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const box = screen.getByRole<HTMLInputElement>('checkbox', { name: "LightSpeed's relays" });
    expect(box.checked).toBe(true);
    await user.click(box);
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(fake.settings.defaultRegistry).toBe(false));
    expect(fake.calls.find((c) => c.channel === 'settings.set')?.arg).toEqual({ defaultRegistry: false });
  });
});
