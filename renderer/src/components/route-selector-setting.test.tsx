import { IpcError } from '@lightspeed/shared';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderApp } from '../test-support/render-app.js';

afterEach(() => cleanup());

describe('Settings → Route choice', () => {
  it('shows the learned selector by default and saves Nearest as soon as it is picked', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const group = await screen.findByRole('group', { name: 'Route choice' });
    expect(within(group).getByRole<HTMLInputElement>('radio', { name: /Learned/ }).checked).toBe(true);
    await user.click(within(group).getByRole('radio', { name: /Nearest/ }));
    await waitFor(() => expect(fake.settings.routeSelector).toBe('nearest'));
    expect(fake.calls.find((c) => c.channel === 'settings.set')?.arg).toEqual({ routeSelector: 'nearest' });
  });
});

describe('Settings → Route choice, when saving fails', () => {
  it('says the choice was not saved, and why, and keeps the saved one checked', async () => {
    const { user, fake } = await renderApp();
    fake.failSettings = new IpcError('internal', 'settings file is read-only');
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const group = await screen.findByRole('group', { name: 'Route choice' });
    await user.click(within(group).getByRole('radio', { name: /Nearest/ }));
    expect((await within(group).findByRole('alert')).textContent).toBe(
      'Not saved: settings file is read-only',
    );
    expect(within(group).getByRole<HTMLInputElement>('radio', { name: /Learned/ }).checked).toBe(true);
  });
});
