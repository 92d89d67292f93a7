/**
 * The contract over Electron-style IPC, end to end in one process: the preload's transport → an
 * in-process stand-in for Electron's IPC (structured clone both ways, one handler per channel) → the
 * main-side bridge → the real dispatcher → the real backend, persisting through the real settings store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IpcMainEvent, IpcMainInvokeEvent, IpcRendererEvent } from 'electron';

import {
  channelName,
  createDispatcher,
  createNotifier,
  createRendererApi,
  DEFAULT_SETTINGS,
  ipcSchema,
  IpcError,
  listChannels,
  listenerKey,
} from '@lightspeed/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BoostEngine } from '../engine/index.js';
import { LightspeedBackend } from '../ipc-backend/index.js';
import { ipcRendererTransport, type IpcRendererLike } from '../preload/ipc-renderer-transport.js';
import { APP_ORIGIN } from './content-security-policy.js';
import { desktopStateSchema } from './desktop-state.js';
import { REFUSED, registerIpc, type IpcMainLike } from './ipc-main-bridge.js';
import { isSameOrigin } from './navigation-policy.js';
import { SettingsStore } from '../ipc-backend/settings-store.js';

type Handler = (event: IpcMainInvokeEvent, arg: unknown) => unknown;
type MainListener = (event: IpcMainEvent, arg: unknown) => void;
type RendererListener = (event: IpcRendererEvent, payload: unknown) => void;

/** Electron's IPC semantics in one process: values are structured-cloned, one handler per channel. */
class InProcessIpc {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Set<MainListener>>();
  readonly rendererListeners = new Map<string, Set<RendererListener>>();

  readonly main = {
    handle: (channel: string, fn: Handler) => {
      if (this.handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => {
      this.handlers.delete(channel);
    },
    on: (channel: string, fn: MainListener) => {
      let set = this.listeners.get(channel);
      if (!set) this.listeners.set(channel, (set = new Set()));
      set.add(fn);
      return this.main;
    },
    removeListener: (channel: string, fn: MainListener) => {
      this.listeners.get(channel)?.delete(fn);
      return this.main;
    },
  } as unknown as IpcMainLike;

  /** The renderer side of a frame showing `frameUrl`. */
  renderer(frameUrl: string): IpcRendererLike {
    const event = { senderFrame: { url: frameUrl } };
    const self = {
      invoke: async (channel: string, arg: unknown) => {
        const handler = this.handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        return structuredClone(await handler(event as unknown as IpcMainInvokeEvent, structuredClone(arg)));
      },
      send: (channel: string, arg: unknown) => {
        for (const fn of this.listeners.get(channel) ?? [])
          fn(event as unknown as IpcMainEvent, structuredClone(arg));
      },
      on: (channel: string, fn: RendererListener) => {
        let set = this.rendererListeners.get(channel);
        if (!set) this.rendererListeners.set(channel, (set = new Set()));
        set.add(fn);
        return self;
      },
      removeListener: (channel: string, fn: RendererListener) => {
        this.rendererListeners.get(channel)?.delete(fn);
        return self;
      },
    };
    return self as unknown as IpcRendererLike;
  }

  /** `webContents.send` from main. */
  emit(channel: string, payload: unknown): void {
    for (const fn of this.rendererListeners.get(channel) ?? [])
      fn({} as IpcRendererEvent, structuredClone(payload));
  }
}

let dir: string;
let ipc: InProcessIpc;
let store: SettingsStore<typeof desktopStateSchema>;
let backend: LightspeedBackend;
let refused: string[];
let dispose: () => void;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ls-ipc-'));
  ipc = new InProcessIpc();
  store = new SettingsStore(path.join(dir, 'settings.json'), desktopStateSchema, { warn: () => {} });
  store.load();
  backend = new LightspeedBackend({
    app: { version: '0.1.0', shell: 'electron', demo: false },
    createEngine: ({ keepaliveMs }) => new BoostEngine({ keepaliveMs }),
    games: { catalog: [], detect: () => Promise.resolve({ installed: [], running: [], skipped: [] }) },
    notify: createNotifier(ipcSchema, (channel, payload) => ipc.emit(channel, payload)),
    settings: store.get().settings,
    saveSettings: async (settings) => {
      await store.update({ settings });
    },
  });
  refused = [];
  dispose = registerIpc(
    ipc.main,
    createDispatcher(ipcSchema, backend.handlers),
    (url) => url !== null && isSameOrigin(url, APP_ORIGIN),
    (channel) => refused.push(channel),
  );
});

afterEach(async () => {
  dispose();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const appApi = () =>
  createRendererApi(ipcSchema, ipcRendererTransport(ipc.renderer(`${APP_ORIGIN}/index.html`)));

describe('IPC bridge', () => {
  it('registers one handler per invoke channel and one listener per send channel, from the schema', () => {
    const channels = listChannels(ipcSchema);
    expect([...ipc.handlers.keys()].sort()).toEqual(
      channels
        .filter((c) => c.channel.kind === 'invoke')
        .map((c) => c.name)
        .sort(),
    );
    expect([...ipc.listeners.keys()].sort()).toEqual(
      channels
        .filter((c) => c.channel.kind === 'send')
        .map((c) => c.name)
        .sort(),
    );
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect([...ipc.listeners.values()].every((s) => s.size === 0)).toBe(true);
  });

  it('gives the preload an object with a function for every channel', () => {
    const api = appApi() as unknown as Record<string, Record<string, unknown>>;
    for (const { group, key, channel } of listChannels(ipcSchema)) {
      const name = channel.kind === 'notify' ? listenerKey(key) : key;
      expect(typeof api[group]?.[name], `${group}.${name}`).toBe('function');
    }
  });

  it('answers the snapshot and carries settings changes both ways, persisted atomically', async () => {
    const api = appApi();
    const snapshot = await api.state.get();
    expect(snapshot.app.shell).toBe('electron');
    expect(snapshot.settings).toEqual(DEFAULT_SETTINGS);

    const changed: unknown[] = [];
    const off = api.settings.onChanged((s) => changed.push(s.fecLevel));
    const next = await api.settings.set({ fecLevel: 'strong', closeToTray: false });
    expect(next).toMatchObject({ fecLevel: 'strong', closeToTray: false });
    expect(changed).toEqual(['strong']);
    const onDisk = JSON.parse(readFileSync(store.file, 'utf8')) as { settings: { fecLevel: string } };
    expect(onDisk.settings.fecLevel).toBe('strong');

    off();
    await api.settings.set({ fecLevel: 'light' });
    expect(changed).toEqual(['strong']);
    expect(ipc.rendererListeners.get(channelName('settings', 'changed'))?.size ?? 0).toBe(0);
  });

  it('validates every argument with the contract before the backend sees it', async () => {
    const api = appApi();
    const bad = [
      () => api.settings.set({ fecLevel: 'max' } as never),
      () => api.settings.set({ keepaliveIntervalMs: 5, surprise: 1 } as never),
      () => api.boost.start({ target: { kind: 'server', server: 'not an address' } }),
      () => api.relays.pin({ relayId: 42 } as never),
      () => (api.state.get as (arg: unknown) => Promise<unknown>)({ sneaky: true }),
    ];
    for (const call of bad) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IpcError);
      expect((err as IpcError).code).toBe('invalid-argument');
    }
    expect((await api.state.get()).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses frames from any other origin', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://other/index.html']) {
      const foreign = createRendererApi(ipcSchema, ipcRendererTransport(ipc.renderer(url)));
      const err = await foreign.settings.set({ fecLevel: 'off' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IpcError);
      expect((err as IpcError).message).toBe(REFUSED.ok ? '' : REFUSED.error.message);
    }
    expect(refused).toEqual(Array(3).fill(channelName('settings', 'set')));
    expect((await appApi().settings.get()).fecLevel).toBe(DEFAULT_SETTINGS.fecLevel);
  });
});
