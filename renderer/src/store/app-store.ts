/**
 * The UI's one store (zustand): starts from `state.get`, then applies the contract's notifications.
 * Actions call the contract and keep errors as data the views render; nothing here knows whether the
 * API is Electron's preload object or the dashboard's WebSocket client.
 */
import {
  IpcError,
  type AddServerRequest,
  type BoostTarget,
  type GameView,
  type LightspeedApi,
  type RelayChoice,
  type SettingsPatch,
} from '@lightspeed/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';

import {
  fromSnapshot,
  initialApp,
  initialBoost,
  initialGames,
  initialRelays,
  initialSettings,
  withStats,
  withStatus,
  type AppSlice,
  type BoostSlice,
  type GamesSlice,
  type RelaysSlice,
  type SettingsSlice,
  type ViewName,
} from './slices.js';

export interface Actions {
  /** Loads the snapshot; called at start and after every reconnect. */
  load(): Promise<void>;
  setConnection(connection: AppSlice['connection']): void;
  navigate(view: ViewName): void;
  startBoost(target: BoostTarget, relay?: RelayChoice): Promise<boolean>;
  stopBoost(): Promise<void>;
  /** "Compare with direct": diagnose for a game server; the result (or error) lands in `boost.diagnosis`. */
  diagnose(server: string): Promise<void>;
  refreshGames(): Promise<void>;
  /** Adds a game server; resolves to the game, or rejects with the reason for the form to show. */
  addServer(req: AddServerRequest): Promise<GameView>;
  probeRelays(): Promise<void>;
  pinRelay(relayId: string | null): Promise<void>;
  /** Saves settings; resolves to an error message, or null when saved. */
  saveSettings(patch: SettingsPatch): Promise<string | null>;
  /** Saves the first-run choice; resolves with the error to show in the dialog, or null. */
  finishFirstRun(patch?: SettingsPatch): Promise<string | null>;
  clearBoostError(): void;
  dismissNotice(id: number): void;
}

export interface AppState {
  app: AppSlice;
  boost: BoostSlice;
  games: GamesSlice;
  relays: RelaysSlice;
  settings: SettingsSlice;
  actions: Actions;
}

export type AppStore = StoreApi<AppState>;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Creates the store for `api` and subscribes it to the contract's notifications (see `dispose`). */
export function createAppStore(api: LightspeedApi): AppStore & { dispose(): void } {
  let noticeId = 0;
  const store = createStore<AppState>()((set, get) => {
    const patch = <K extends Exclude<keyof AppState, 'actions'>>(key: K, part: Partial<AppState[K]>): void =>
      set((s) => ({ [key]: { ...s[key], ...part } }));
    const notify = (kind: 'error' | 'info', text: string): void => {
      const notice = { id: ++noticeId, kind, text };
      set((s) => ({ app: { ...s.app, notices: [...s.app.notices.slice(-3), notice] } }));
    };

    const actions: Actions = {
      async load() {
        try {
          const snap = fromSnapshot(await api.state.get());
          set((s) => ({
            app: {
              ...s.app,
              info: snap.info,
              connection: 'ready',
              view: snap.boost.status.session ? 'session' : s.app.view,
            },
            boost: { ...s.boost, ...snap.boost },
            games: { ...s.games, ...snap.games },
            relays: snap.relays,
            settings: { ...s.settings, value: snap.settings },
          }));
        } catch (err) {
          patch('app', { connection: 'failed' });
          notify('error', `Could not load LightSpeed's state: ${messageOf(err)}`);
        }
      },
      setConnection(connection) {
        patch('app', { connection });
      },
      navigate(view) {
        patch('app', { view });
      },
      async startBoost(target, relay) {
        if (get().boost.pending) return false;
        patch('boost', { pending: 'starting', error: null });
        try {
          await api.boost.start(relay === undefined ? { target } : { target, relay });
          patch('boost', { pending: null });
          patch('app', { view: 'session' });
          return true;
        } catch (err) {
          const code = err instanceof IpcError ? err.code : 'internal';
          patch('boost', {
            pending: null,
            error: { code, message: messageOf(err), gameId: target.kind === 'game' ? target.gameId : null },
          });
          if (code !== 'needs-server') notify('error', messageOf(err));
          return false;
        }
      },
      async stopBoost() {
        patch('boost', { pending: 'stopping' });
        try {
          await api.boost.stop();
        } catch (err) {
          notify('error', `Stop failed: ${messageOf(err)}`);
        } finally {
          patch('boost', { pending: null });
        }
      },
      async diagnose(server) {
        if (get().boost.diagnosis.running) return;
        patch('boost', { diagnosis: { ...get().boost.diagnosis, running: true, error: null } });
        try {
          const result = await api.diagnose.run({ server });
          patch('boost', { diagnosis: { running: false, result, error: null } });
        } catch (err) {
          patch('boost', { diagnosis: { running: false, result: null, error: messageOf(err) } });
        }
      },
      async refreshGames() {
        patch('games', { refreshing: true });
        try {
          patch('games', { view: await api.games.refresh() });
        } catch (err) {
          notify('error', `Game scan failed: ${messageOf(err)}`);
        } finally {
          patch('games', { refreshing: false });
        }
      },
      async addServer(req) {
        const game = await api.games.addServer(req);
        const error = get().boost.error;
        if (error?.code === 'needs-server' && error.gameId === game.id) patch('boost', { error: null });
        notify('info', `Added ${req.server} to ${game.name}`);
        return game;
      },
      async probeRelays() {
        try {
          patch('relays', { view: await api.relays.probe() });
        } catch (err) {
          notify('error', `Probe failed: ${messageOf(err)}`);
        }
      },
      async pinRelay(relayId) {
        try {
          patch('relays', { view: await api.relays.pin({ relayId }) });
        } catch (err) {
          notify('error', messageOf(err));
        }
      },
      async saveSettings(settingsPatch) {
        patch('settings', { saving: true });
        try {
          patch('settings', { value: await api.settings.set(settingsPatch) });
          return null;
        } catch (err) {
          return messageOf(err);
        } finally {
          patch('settings', { saving: false });
        }
      },
      async finishFirstRun(extra = {}) {
        // The dialog covers the notices: the caller shows the error inside it.
        return get().actions.saveSettings({ ...extra, firstRunComplete: true });
      },
      clearBoostError() {
        patch('boost', { error: null });
      },
      dismissNotice(id) {
        set((s) => ({ app: { ...s.app, notices: s.app.notices.filter((n) => n.id !== id) } }));
      },
    };

    return {
      app: initialApp,
      boost: initialBoost,
      games: initialGames,
      relays: initialRelays,
      settings: initialSettings,
      actions,
    };
  });

  const subscriptions = [
    api.boost.onState((status) => store.setState((s) => ({ boost: withStatus(s.boost, status) }))),
    api.boost.onStats((stats) => store.setState((s) => ({ boost: withStats(s.boost, stats) }))),
    api.relays.onChanged((view) => store.setState({ relays: { view } })),
    api.games.onChanged((view) => store.setState((s) => ({ games: { ...s.games, view } }))),
    api.settings.onChanged((value) => store.setState((s) => ({ settings: { ...s.settings, value } }))),
  ];
  return Object.assign(store, { dispose: () => subscriptions.forEach((off) => off()) });
}
