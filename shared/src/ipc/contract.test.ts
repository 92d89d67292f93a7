import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_SETTINGS,
  IpcError,
  createDispatcher,
  createLoopbackTransport,
  createNotifier,
  createRendererApi,
  ipcSchema,
  listChannels,
  parseClientFrame,
  parseServerFrame,
  settingsFileSchema,
  settingsPatchSchema,
  type LightspeedHandlers,
} from '../index.js';

/** Handlers that record what they were called with (the contract's plumbing is what is under test). */
function recordingHandlers(calls: { name: string; arg: unknown }[]): LightspeedHandlers {
  const rec =
    <R>(name: string, result: R) =>
    (arg: unknown): R => {
      calls.push({ name, arg });
      return result;
    };
  return {
    state: { get: () => ({}) as never },
    boost: {
      start: rec('boost.start', { routes: [{ localPort: 4000, server: '127.0.0.1:9' }] }),
      stop: rec('boost.stop', undefined),
    },
    relays: {
      probe: rec('relays.probe', { relays: [], pinned: null, probing: false }),
      pin: rec('relays.pin', { relays: [], pinned: 'x', probing: false }),
    },
    games: {
      refresh: rec('games.refresh', { games: [], scannedAtMs: 1, skipped: [] }),
      addServer: rec('games.addServer', {
        id: 'g',
        name: 'G',
        source: 'manual',
        installed: false,
        running: false,
        servers: [],
      }),
      removeServer: rec('games.removeServer', { games: [], scannedAtMs: 1, skipped: [] }),
    },
    diagnose: {
      run: rec('diagnose.run', {
        server: '127.0.0.1:9',
        direct: { rttMs: null, lossPct: 100 },
        relays: [],
        verdict: 'nothing',
        msSaved: null,
        warp: null,
        atMs: 1,
      }),
    },
    settings: { get: () => DEFAULT_SETTINGS, set: rec('settings.set', DEFAULT_SETTINGS) },
  };
}

function wire() {
  const calls: { name: string; arg: unknown }[] = [];
  const dispatcher = createDispatcher(ipcSchema, recordingHandlers(calls));
  const loop = createLoopbackTransport(dispatcher);
  const api = createRendererApi(ipcSchema, loop.transport);
  const notify = createNotifier(ipcSchema, loop.emit);
  return { calls, dispatcher, api, notify };
}

describe('IPC contract', () => {
  it('names every channel group.key, uniquely, and every invoke/send channel has an argument schema', () => {
    const channels = listChannels(ipcSchema);
    const names = channels.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('boost.start');
    expect(names).toContain('boost.stats');
    for (const c of channels) {
      expect(c.name).toBe(`${c.group}.${c.key}`);
      if (c.channel.kind !== 'notify') expect(typeof c.channel.arg.safeParse).toBe('function');
    }
  });

  it('carries a valid call to its handler and the result back', async () => {
    const { api, calls } = wire();
    const result = await api.boost.start({
      target: { kind: 'server', server: '127.0.0.1:27015' },
      relay: { kind: 'pin', relayId: 'fra-1' },
    });
    expect(result.routes[0]?.localPort).toBe(4000);
    expect(calls).toEqual([
      {
        name: 'boost.start',
        arg: {
          target: { kind: 'server', server: '127.0.0.1:27015' },
          relay: { kind: 'pin', relayId: 'fra-1' },
        },
      },
    ]);
    await expect(api.boost.stop()).resolves.toBeUndefined();
    await expect(api.diagnose.run({ server: '127.0.0.1:9' })).resolves.toMatchObject({ verdict: 'nothing' });
    expect(calls.at(-1)).toEqual({ name: 'diagnose.run', arg: { server: '127.0.0.1:9' } });
  });

  it('rejects an invalid argument with invalid-argument, naming the field, without calling the handler', async () => {
    const { api, calls } = wire();
    const bad = [
      () => api.boost.start({ target: { kind: 'server', server: 'no-port' } }),
      () => api.boost.start({ target: { kind: 'server', server: '1.2.3.4:70000' } }),
      () => api.boost.start({ target: { kind: 'game', gameId: '' } }),
      () => api.settings.set({ keepaliveIntervalMs: 5 }),
      () => api.settings.set({ registryUrl: 'javascript:alert(1)' }),
      () => api.settings.set({ mode: 'telepathy' } as never),
      () => api.settings.set({ unknownKey: true } as never),
      () => api.games.addServer({ server: 'host:port' }),
      () => api.relays.pin({} as never),
      () => api.diagnose.run({ server: 'example.com' }),
      () => api.diagnose.run({ server: 'a b:80' }),
      () => api.diagnose.run({ server: '127.0.0.1:9', relay: '127.0.0.1:1' } as never),
      () => api.diagnose.run(undefined as never),
    ];
    for (const call of bad) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IpcError);
      expect((err as IpcError).code).toBe('invalid-argument');
    }
    const keepalive = await api.settings.set({ keepaliveIntervalMs: 5 }).catch((e: IpcError) => e.message);
    expect(keepalive).toMatch(/keepaliveIntervalMs/);
    expect(calls).toEqual([]);
  });

  it('answers unknown channels and wrong kinds with unknown-channel', async () => {
    const { dispatcher } = wire();
    expect(await dispatcher.invoke('boost.launchMissiles', undefined)).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(await dispatcher.invoke('boost.stats', undefined)).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
  });

  it('keeps handler error codes across the boundary', async () => {
    const dispatcher = createDispatcher(ipcSchema, {
      ...recordingHandlers([]),
      boost: {
        start: () => {
          throw new IpcError('needs-server', 'add a server');
        },
        stop: () => undefined,
      },
    });
    const api = createRendererApi(ipcSchema, createLoopbackTransport(dispatcher).transport);
    await expect(api.boost.start({ target: { kind: 'game', gameId: 'cs2' } })).rejects.toMatchObject({
      code: 'needs-server',
      message: 'add a server',
    });
  });

  it('delivers notifications to the listeners of that channel only, until unsubscribed', () => {
    const { api, notify } = wire();
    const states: unknown[] = [];
    const stats: unknown[] = [];
    const off = api.boost.onState((s) => states.push(s.state.state));
    api.boost.onStats((s) => stats.push(s.atMs));
    notify.boost.state({ state: { state: 'idle' }, session: null });
    off();
    notify.boost.state({ state: { state: 'probing', relays: 2 }, session: null });
    expect(states).toEqual(['idle']);
    expect(stats).toEqual([]);
  });

  it('has a settings file schema that fills every missing or invalid key with its default', () => {
    expect(settingsFileSchema.parse({})).toEqual(DEFAULT_SETTINGS);
    const loaded = settingsFileSchema.parse({
      mode: 'capture',
      fecLevel: 'loud',
      keepaliveIntervalMs: -1,
      futureKey: 1,
    });
    expect(loaded).toEqual({ ...DEFAULT_SETTINGS, mode: 'capture' });
    expect(settingsPatchSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});

describe('WebSocket frames', () => {
  it('round-trips valid frames', () => {
    expect(parseClientFrame(JSON.stringify({ t: 'invoke', id: 7, ch: 'state.get' }))).toEqual({
      t: 'invoke',
      id: 7,
      ch: 'state.get',
    });
    expect(parseServerFrame(JSON.stringify({ t: 'result', id: 7, result: { ok: true } }))).toEqual({
      t: 'result',
      id: 7,
      result: { ok: true },
    });
    expect(
      parseServerFrame(JSON.stringify({ t: 'notify', ch: 'boost.stats', payload: { atMs: 1 } })),
    ).toMatchObject({ t: 'notify' });
  });

  it('drops malformed frames (never throws)', () => {
    for (const text of [
      '',
      'null',
      '{',
      '[]',
      '{"t":"invoke","id":-1,"ch":"x"}',
      '{"t":"invoke","id":1}',
      '{"t":"send","ch":"x","extra":1}',
      `{"t":"send","ch":"${'x'.repeat(65)}"}`,
    ]) {
      expect(parseClientFrame(text)).toBeNull();
    }
    expect(
      parseServerFrame('{"t":"result","id":1,"result":{"ok":false,"error":{"code":"nope","message":""}}}'),
    ).toBeNull();
  });

  it('never throws on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ t: 'invoke', id: 1, ch: 'a', arg: v })),
        ),
        (text) => {
          const frame = parseClientFrame(text);
          expect(frame === null || frame.t === 'invoke' || frame.t === 'send').toBe(true);
          parseServerFrame(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
