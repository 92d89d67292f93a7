/**
 * The one wiring of the backend that both shells use — the desktop app (electron/src/main) and the browser
 * dashboard (electron/src/dashboard): the engines (redirect in process, capture in the privileged
 * helper), game detection, the session history and the registry cache kept beside the settings, and the
 * default relay registry (with the environment's overrides). Each shell adds only what is its own: how
 * settings are stored, and how notifications reach its UI.
 */
import type { AppInfo, LightspeedNotifier, Settings } from '@lightspeed/shared';

import { LightspeedBackend, type BackendOptions } from './backend.js';
import { defaultRegistryFromEnv, type RegistryLocation } from './default-registry.js';
import { createCaptureEngine, createEngine } from './engine-factories.js';
import { createGamesProvider } from './games-provider.js';
import type { GamesProvider } from './ports.js';
import { loadSessions, saveSessions } from './session-history.js';

export interface AppBackendOptions {
  app: AppInfo;
  notify: LightspeedNotifier;
  settings: Settings;
  /** Persists settings after every change (absent: they live only for the run, as the demo's do). */
  saveSettings?: (settings: Settings) => Promise<void>;
  /** Where the last 50 session summaries are kept (absent: only for the run). */
  sessionsFile?: string;
  /** Where registries' last good copies are kept (absent: only in memory). */
  registryCacheFile?: string;
  /** The default relay registry (default: LightSpeed's, or LIGHTSPEED_REGISTRY_URL / _KEY). */
  defaultRegistry?: RegistryLocation | null;
  /** Game catalog and detection (default: this machine's). */
  games?: GamesProvider;
  /** What only one shell has (the dashboard's demo game and hooks). */
  extra?: Pick<BackendOptions, 'extraGames' | 'onSessionStart' | 'onSessionEnd'>;
}

export async function createAppBackend(o: AppBackendOptions): Promise<LightspeedBackend> {
  const file = o.sessionsFile;
  return new LightspeedBackend({
    app: o.app,
    createEngine,
    createCaptureEngine: createCaptureEngine(),
    games: o.games ?? createGamesProvider(),
    notify: o.notify,
    settings: o.settings,
    defaultRegistry:
      o.defaultRegistry === undefined ? defaultRegistryFromEnv(process.env) : o.defaultRegistry,
    ...(o.registryCacheFile === undefined ? {} : { registryCacheFile: o.registryCacheFile }),
    ...(o.saveSettings === undefined ? {} : { saveSettings: o.saveSettings }),
    ...(file === undefined
      ? {}
      : { sessions: await loadSessions(file), saveSessions: (list) => saveSessions(file, list) }),
    ...o.extra,
  });
}
