import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { MeshRoute } from './mesh-route.js';
import { renderApp } from '../test-support/render-app.js';

afterEach(() => cleanup());

describe('Settings → Relay mesh', () => {
  it('is off by default; auto, a named exit and multipath are saved as they are picked', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    await screen.findByRole('group', { name: 'Relay mesh' });
    // The view re-renders from the saved settings: look the controls up each time.
    const mesh = () => {
      const group = within(screen.getByRole('group', { name: 'Relay mesh' }));
      return {
        radio: (name: RegExp) => group.getByRole<HTMLInputElement>('radio', { name }),
        multipath: () => group.getByRole<HTMLInputElement>('checkbox', { name: /Multipath/ }),
        input: () => group.getByLabelText('Exit node id'),
        use: () => group.getByRole<HTMLButtonElement>('button', { name: 'Use this exit' }),
      };
    };
    expect(mesh().radio(/Off/).checked).toBe(true);
    expect(mesh().multipath().disabled).toBe(true);
    await user.click(mesh().radio(/Automatic exit/));
    await waitFor(() => expect(fake.settings.meshExit).toBe('auto'));
    await waitFor(() => expect(mesh().multipath().disabled).toBe(false));
    await user.click(mesh().multipath());
    await waitFor(() => expect(fake.settings.multipath).toBe(true));
    await user.click(mesh().radio(/This exit/));
    await user.type(mesh().input(), 'auto');
    expect(mesh().use().disabled).toBe(true); // 'auto' is not a node id
    await user.clear(mesh().input());
    await user.type(mesh().input(), 'lon-1');
    await user.click(mesh().use());
    await waitFor(() => expect(fake.settings.meshExit).toBe('lon-1'));
    expect(fake.calls.filter((c) => c.channel === 'settings.set').map((c) => c.arg)).toEqual([
      { meshExit: 'auto' },
      { multipath: true },
      { meshExit: 'lon-1' },
    ]);
  });
});

describe('Session → mesh route', () => {
  it('shows each entry’s route to the exit, and how auto chose it', () => {
    render(
      <dl>
        <MeshRoute
          mesh={{
            exit: 'r3',
            why: 'the shortest mesh path + measured leg to the server (12 ms)',
            multipath: true,
            paths: [
              { entry: 'r1', route: ['r1', 'r2', 'r3'] },
              { entry: 'r2', route: ['r2', 'r3'] },
            ],
            failovers: 1,
            moves: 0,
          }}
        />
      </dl>,
    );
    expect(screen.getAllByTestId('mesh-path').map((e) => e.textContent)).toEqual(['r1 → r2 → r3', 'r2 → r3']);
    expect(screen.getByText(/Mesh route \(multipath\)/)).toBeTruthy();
    expect(screen.getByTestId('mesh-route').textContent).toMatch(/auto: the shortest.*1 failover, 0 moves/);
  });
});
