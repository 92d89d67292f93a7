import { IpcError } from '@lightspeed/shared';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderApp } from '../test-support/render-app.js';

afterEach(() => cleanup());

describe('first run', () => {
  it('explains the product, lets the user pick a mode, and saves it with firstRunComplete', async () => {
    const { user, fake } = await renderApp({ firstRun: true });
    const dialog = screen.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    expect(within(dialog).getByText(/Demo mode/)).toBeTruthy();
    await user.click(within(dialog).getByRole('radio', { name: /Capture/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Get started' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.find((c) => c.channel === 'settings.set')?.arg).toEqual({
      mode: 'capture',
      firstRunComplete: true,
    });
    expect(fake.settings.firstRunComplete).toBe(true);
  });
});

describe('first run, when things go wrong', () => {
  it('keeps Tab inside the welcome dialog', async () => {
    const { user } = await renderApp({ firstRun: true });
    const dialog = screen.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    const start = within(dialog).getByRole('button', { name: 'Get started' });
    start.focus();
    await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).toBe(within(dialog).getAllByRole('radio')[0]);
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(start);
  });

  it('says when no relay answers and offers to add one, landing in Settings', async () => {
    const { user } = await renderApp({
      firstRun: true,
      relays: [
        {
          relay: { id: 'dead-1', address: '203.0.113.9:4434' },
          rttMs: null,
          rttMinMs: null,
          loss: 1,
          reachable: false,
          probedAtMs: 1,
        },
      ],
    });
    const dialog = screen.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    expect(within(dialog).getByTestId('no-relay').textContent).toMatch(
      /None of the configured relays answered/,
    );
    await user.click(within(dialog).getByRole('button', { name: 'Add a relay or a registry' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('heading', { name: 'Settings', level: 2 })).toBeTruthy();
  });

  it('does not warn when a relay answers', async () => {
    await renderApp({ firstRun: true });
    expect(screen.queryByTestId('no-relay')).toBeNull();
  });

  it('shows inside the dialog why "Get started" could not save (an unwritable settings file)', async () => {
    const { user, fake } = await renderApp({ firstRun: true });
    fake.failSettings = new IpcError(
      'internal',
      "EACCES: permission denied, open '/home/p/.config/settings.json'",
    );
    const dialog = screen.getByRole('dialog', { name: 'Welcome to LightSpeed' });
    await user.click(within(dialog).getByRole('button', { name: 'Get started' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/could not be saved: EACCES/);
    expect(screen.getByRole('dialog', { name: 'Welcome to LightSpeed' })).toBeTruthy();
  });
});

describe('Library → Session', () => {
  it('lists the games with labelled Boost buttons and badges', async () => {
    await renderApp();
    const list = screen.getByRole('list', { name: 'Games' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Boost Demo Arena' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Boost Counter-Strike 2' })).toBeTruthy();
    expect(screen.getByText('Running')).toBeTruthy();
    expect(screen.getByText('3 games ready to boost')).toBeTruthy();
  });

  it('Boost opens the live session; stats fill the tiles and the chart; Stop returns to idle', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Boost Demo Arena' }));
    expect(fake.calls.at(-1)).toEqual({
      channel: 'boost.start',
      arg: { target: { kind: 'game', gameId: 'demo-arena' } },
    });

    const title = await screen.findByRole('heading', { name: 'Demo Arena', level: 2 });
    const hero = title.closest('.hero') as HTMLElement;
    expect(within(hero).getByRole('status').getAttribute('data-state')).toBe('active');
    expect(within(hero).getByText('Boosted')).toBeTruthy();
    expect(screen.getByTestId('current-relay').textContent).toBe('fra-1');
    expect(screen.getByText('Frankfurt')).toBeTruthy();
    expect(screen.getByText('127.0.0.1:40000')).toBeTruthy();

    const chart = screen.getByRole('figure', { name: 'Round-trip time over the session' });
    expect(chart.getAttribute('data-samples')).toBe('0');
    act(() => {
      fake.tick();
      fake.tick();
      fake.tick({
        rtt: { min: 30, p50: 42, p95: 55, last: 44 },
        fecRecovered: 1234,
        lossDown: 0.072,
        lossDownAfterFec: 0,
      });
    });
    expect(chart.getAttribute('data-samples')).toBe('3');
    const loss = screen.getByRole('figure', { name: 'Packet loss before and after FEC' });
    expect(loss.getAttribute('data-samples')).toBe('3');
    expect(loss.textContent).toContain('7.2% lost on the link, 0% after FEC');
    expect(screen.getByTestId('stat-ping').textContent).toBe('42 ms');
    expect(screen.getByTestId('stat-fec-recoveries').textContent).toBe('1.2k');
    expect(screen.getByTestId('stat-loss-before-fec').textContent).toBe('7.2%');
    expect(screen.getByTestId('stat-loss-after-fec').textContent).toBe('0%');
    expect(screen.getByRole('group', { name: 'Loss before FEC' }).className).toContain('tile-bad');

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(screen.getAllByRole('status')[0]!.getAttribute('data-state')).toBe('idle'));
    expect(screen.getByText('Pick a game to boost')).toBeTruthy();
  });

  it('asks for a game server when the game has none, validates it, then boosts', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Boost Counter-Strike 2' }));
    const form = await screen.findByRole('form', { name: 'Add a game server for Counter-Strike 2' });
    expect(within(form.closest('article')!).getByText(/has no game server yet/)).toBeTruthy();

    const input = within(form).getByLabelText('Game server (host:port)');
    await user.type(input, 'not an address');
    await user.click(within(form).getByRole('button', { name: 'Add and boost' }));
    expect(within(form).getByRole('alert').textContent).toMatch(/host:port/);
    expect(fake.calls.some((c) => c.channel === 'games.addServer')).toBe(false);

    await user.clear(input);
    await user.type(input, '203.0.113.7:27015');
    await user.click(within(form).getByRole('button', { name: 'Add and boost' }));
    await screen.findByRole('heading', { name: 'Counter-Strike 2', level: 2 });
    expect(fake.calls.filter((c) => c.channel === 'games.addServer').map((c) => c.arg)).toEqual([
      { gameId: 'cs2', server: '203.0.113.7:27015' },
    ]);
    expect(screen.getByText('203.0.113.7:27015')).toBeTruthy();
  });

  it('in capture mode, Boost on a running game needs no address: waiting for traffic, then the servers found', async () => {
    const { user, fake } = await renderApp({ settings: { mode: 'capture' } });
    await user.click(screen.getByRole('button', { name: 'Boost Counter-Strike 2' }));
    await screen.findByRole('heading', { name: 'Counter-Strike 2', level: 2 });
    expect(screen.queryByRole('form', { name: /Add a game server/ })).toBeNull();
    expect(screen.getByTestId('capture-servers').textContent).toBe('waiting for game traffic…');
    expect(screen.getByTestId('capture-process').textContent).toContain('cs2 (4242)');
    expect(screen.queryByText('Point your game at')).toBeNull();
    act(() =>
      fake.captureStatus({
        phase: 'capturing',
        processes: [{ pid: 4242, name: 'cs2' }],
        ports: [27005],
        servers: [
          {
            address: '203.0.113.7:27015',
            packets: 120,
            sockets: 1,
            region: 'near Frankfurt (9 ms from fra-1)',
          },
          { address: '203.0.113.9:27015', packets: 3, sockets: 1 },
        ],
      }),
    );
    const servers = screen.getByTestId('capture-servers');
    expect(
      within(servers)
        .getAllByText(/203\.0\.113\.\d:27015/)
        .map((e) => e.textContent),
    ).toEqual(['203.0.113.7:27015', '203.0.113.9:27015']);
    expect(servers.textContent).toContain('203.0.113.7:27015 · near Frankfurt (9 ms from fra-1)');
    expect(screen.getByTestId('current-relay').textContent).toBe('fra-1');
    expect(screen.getByText('Frankfurt')).toBeTruthy();
  });

  it('adds a game by hand from the Library', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Add game server' }));
    const form = screen.getByRole('form', { name: 'Add a game server' });
    await user.type(within(form).getByLabelText('Game name'), 'Quake Arena');
    await user.type(within(form).getByLabelText('Game server (host:port)'), '198.51.100.4:27960');
    await user.click(within(form).getByRole('button', { name: 'Add to Library' }));
    expect(await screen.findByRole('button', { name: 'Boost Quake Arena' })).toBeTruthy();
    expect(fake.calls.find((c) => c.channel === 'games.addServer')?.arg).toEqual({
      name: 'Quake Arena',
      server: '198.51.100.4:27960',
    });
  });

  it('shows a start failure as an alert the user can dismiss', async () => {
    const { user } = await renderApp({
      startError: new IpcError('no-relays', 'no relays configured: add one in Settings'),
    });
    await user.click(screen.getByRole('button', { name: 'Boost Demo Arena' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no relays configured');
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('Relays', () => {
  it('shows ping and loss per relay, pins one and returns to Auto', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Relays' }));
    expect(screen.getByRole('heading', { name: 'Relays' })).toBeTruthy();
    const auto = screen.getByRole<HTMLInputElement>('radio', { name: /Auto/ });
    expect(auto.checked).toBe(true);
    expect(screen.getByText(/now fra-1/)).toBeTruthy();
    const nyc = screen.getByRole('radio', { name: 'Pin nyc-1 (New York)' });
    expect(nyc.closest('label')!.textContent).toContain('unreachable');
    expect(
      screen.getByRole('radio', { name: 'Pin ams-1 (Amsterdam)' }).closest('label')!.textContent,
    ).toMatch(/24 ms.*1\.0%/);

    await user.click(screen.getByRole('radio', { name: 'Pin ams-1 (Amsterdam)' }));
    await waitFor(() =>
      expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Pin ams-1 (Amsterdam)' }).checked).toBe(
        true,
      ),
    );
    expect(fake.pinned).toBe('ams-1');
    await user.click(screen.getByRole('radio', { name: /Auto/ }));
    await waitFor(() => expect(fake.pinned).toBeNull());

    await user.click(screen.getByRole('button', { name: 'Probe now' }));
    expect(fake.calls.some((c) => c.channel === 'relays.probe')).toBe(true);
  });
});

describe('Settings', () => {
  it('saves mode, FEC level, keepalive and the relay list', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    await user.click(screen.getByRole('radio', { name: /Strong/ }));
    const keepalive = screen.getByLabelText('Keepalive interval (ms)');
    await user.clear(keepalive);
    await user.type(keepalive, '250');
    await user.click(screen.getByRole('button', { name: '+ Add relay' }));
    await user.type(screen.getByLabelText('Relay 2 address (host:port)'), '192.0.2.10:4500');
    await user.type(screen.getByLabelText('Relay 2 name'), 'par-1');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(screen.getByText('Saved')).toBeTruthy());
    expect(fake.settings.fecLevel).toBe('strong');
    expect(fake.settings.keepaliveIntervalMs).toBe(250);
    expect(fake.settings.relays).toEqual([
      { host: '127.0.0.1', port: 4500, id: 'fra-1', region: 'Frankfurt' },
      { host: '192.0.2.10', port: 4500, id: 'par-1' },
    ]);
  });

  it('puts each error on its field (aria-invalid, described by the message) and saves nothing', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const keepalive = screen.getByLabelText('Keepalive interval (ms)');
    await user.clear(keepalive);
    await user.type(keepalive, '5');
    const relay = screen.getByRole('textbox', { name: 'Relay 1 address (host:port)' });
    await user.clear(relay);
    await user.type(relay, 'no-port');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(keepalive.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(keepalive.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /whole number of milliseconds/,
    );
    expect(relay.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(relay.getAttribute('aria-describedby')!)?.textContent).toMatch(/port/);
    expect(screen.getByText(/Fix the highlighted fields; nothing was saved/)).toBeTruthy();
    await user.clear(keepalive);
    await user.type(keepalive, '500');
    await user.clear(relay);
    await user.type(relay, '127.0.0.1:4500');
    await user.click(screen.getByRole('radio', { name: 'Registry URL' }));
    const url = screen.getByRole('textbox', { name: 'Registry URL' });
    await user.type(url, 'ftp://relays');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(keepalive.getAttribute('aria-invalid')).toBeNull();
    expect(document.getElementById(url.getAttribute('aria-describedby')!)?.textContent).toMatch(/http/);
    expect(fake.calls.some((c) => c.channel === 'settings.set')).toBe(false);
  });

  it('keeps unsaved edits across views and a change made elsewhere, saves only what was edited, or discards', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const keepalive = (): HTMLElement => screen.getByLabelText('Keepalive interval (ms)');
    await user.clear(keepalive());
    await user.type(keepalive(), '750');
    expect(screen.getByTestId('unsaved').textContent).toBe('Unsaved changes');
    // Away and back: the edit is still there.
    await user.click(screen.getByRole('button', { name: 'Library' }));
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect((keepalive() as HTMLInputElement).value).toBe('750');
    // Settings change elsewhere (another window): the edit survives, the other field takes the new value.
    await act(async () => {
      await fake.api.settings.set({ fecLevel: 'strong' });
    });
    expect((keepalive() as HTMLInputElement).value).toBe('750');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: /Strong/ }).checked).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.channel === 'settings.set').at(-1)?.arg).toEqual({
        keepaliveIntervalMs: 750,
      }),
    );
    await waitFor(() => expect(screen.queryByTestId('unsaved')).toBeNull());
    // Discard puts the saved values back.
    await user.clear(keepalive());
    await user.type(keepalive(), '900');
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect((keepalive() as HTMLInputElement).value).toBe('750');
    expect(screen.queryByTestId('unsaved')).toBeNull();
  });
});

describe('keyboard', () => {
  it('moves between views with Alt+1..4 and marks the current one', async () => {
    const { user } = await renderApp();
    await user.keyboard('{Alt>}3{/Alt}');
    expect(screen.getByRole('button', { name: 'Relays' }).getAttribute('aria-current')).toBe('page');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Relays' }));
    await user.keyboard('{Alt>}4{/Alt}');
    expect(screen.getByRole('heading', { name: 'Settings' })).toBeTruthy();
    await user.keyboard('{Alt>}1{/Alt}');
    expect(screen.getByRole('heading', { name: 'Library' })).toBeTruthy();
  });
});
