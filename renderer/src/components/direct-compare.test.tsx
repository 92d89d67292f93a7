/** Session → "without LightSpeed → with", WARP, and "Compare with direct" against the fake backend. */
import type { DirectComparison } from '@lightspeed/shared';
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderApp } from '../test-support/render-app.js';

afterEach(() => cleanup());

const base: DirectComparison = {
  server: '',
  state: 'measured',
  directMs: 48.2,
  directLossPct: 2,
  boostedMs: 31.4,
  boostedLossPct: 0,
  relay: 'fra-1',
  msSaved: 16.8,
  atMs: 1,
  warp: { installed: false, connected: false },
  note: '',
};

describe('Session: without and with LightSpeed', () => {
  it('shows measuring, then the live numbers, then "not measured" when the server answers no probe', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Boost Demo Arena' }));
    const line = await screen.findByTestId('direct-line');
    expect(line.textContent).toMatch(/measuring the direct path/);

    act(() => fake.directComparison({ ...base, server: fake.session!.server }));
    expect(line.textContent).toBe('Without LightSpeed 48 ms · loss 2% → with 31 ms · loss 0% · 17 ms saved');
    expect(screen.queryByTestId('warp-line')).toBeNull();

    act(() => fake.directComparison({ ...base, directMs: 20, boostedMs: 25, msSaved: -5, directLossPct: 0 }));
    expect(line.textContent).toMatch(/direct is faster by 5 ms$/);

    act(() =>
      fake.directComparison({
        ...base,
        state: 'no-answer',
        directMs: null,
        boostedMs: null,
        msSaved: null,
        warp: { installed: true, connected: true },
      }),
    );
    expect(line.textContent).toMatch(
      /^Without LightSpeed: not measured — the game server answers no light probe/,
    );
    expect(screen.getByTestId('warp-line').textContent).toBe(
      'Cloudflare WARP is connected: the direct path goes through WARP.',
    );
  });

  it('"Compare with direct" runs diagnose for the session\'s server and shows each path and the verdict', async () => {
    const { user, fake } = await renderApp();
    fake.warp = { installed: true, connected: true };
    await user.click(screen.getByRole('button', { name: 'Boost Demo Arena' }));
    await user.click(await screen.findByRole('button', { name: 'Compare with direct' }));
    const verdict = await screen.findByTestId('diagnosis-verdict');
    expect(fake.calls.at(-1)).toEqual({ channel: 'diagnose.run', arg: { server: fake.session!.server } });
    expect(verdict.textContent).toMatch(/without LightSpeed 48\.0 ms → with 31\.0 ms/);
    const table = screen.getByRole('table', { name: 'Direct against each relay' });
    expect(table.textContent).toContain('Direct (without LightSpeed)48 ms2%');
    expect(table.textContent).toContain('via fra-1');
    expect(screen.getByTestId('warp-line').textContent).toBe(
      'Cloudflare WARP is connected: the direct path goes through WARP.',
    );
  });

  it('says WARP is not installed in a diagnose result, and nothing of WARP in the live line then', async () => {
    const { user, fake } = await renderApp();
    fake.warp = { installed: false, connected: false };
    await user.click(screen.getByRole('button', { name: 'Boost Demo Arena' }));
    act(() => fake.directComparison({ ...base, server: fake.session!.server }));
    expect(screen.queryByTestId('warp-line')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Compare with direct' }));
    await screen.findByTestId('diagnosis-verdict');
    expect(screen.getByTestId('warp-line').textContent).toBe('Cloudflare WARP: not installed.');
  });
});

describe('Library → Compare with direct', () => {
  it("runs diagnose for the game's server before any boost and shows it in the idle Session view", async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Compare Demo Arena with direct' }));
    const verdict = await screen.findByTestId('diagnosis-verdict');
    const server = fake.games.find((g) => g.name === 'Demo Arena')!.servers[0]!;
    expect(fake.calls.at(-1)).toEqual({ channel: 'diagnose.run', arg: { server } });
    expect(screen.getByRole('heading', { name: `Without LightSpeed vs with it: ${server}` })).toBeTruthy();
    expect(verdict.textContent).toMatch(/^boosting helps via fra-1/);
    expect(screen.getByText('Pick a game to boost')).toBeTruthy();
  });
});
