/**
 * Composes `lightspeed dashboard`: the real engine and game detection behind the contract's backend,
 * the validating dispatcher, the token-guarded HTTP + WebSocket server, settings kept in a file between
 * runs (like the desktop app's), and (with `demo`) the demo network, whose settings live only for the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  DEFAULT_SETTINGS,
  createDispatcher,
  createNotifier,
  ipcSchema,
  settingsFileSchema,
  type Settings,
} from '@lightspeed/shared';

import { createAppBackend } from '../ipc-backend/app-backend.js';
import {
  SettingsStore,
  type GamesProvider,
  type LightspeedBackend,
  type SettingsLogger,
} from '../ipc-backend/index.js';
import { startDashboard, type Dashboard } from './dashboard-server.js';
import { startDemoEnvironment, type DemoEnvironment } from './demo-environment.js';

export interface RunDashboardOptions {
  host: string;
  port: number;
  allowRemote?: boolean;
  demo?: boolean;
  /** Built UI directory (default: renderer/dist/ui of this checkout). */
  uiDir?: string;
  /** Game detection (default: the real one). */
  games?: GamesProvider;
  /** Settings file read at start and rewritten on every change; absent: settings live only for the run. */
  settingsFile?: string;
  /** Where a corrupt settings file is reported (default: stderr). */
  log?: SettingsLogger;
}

export interface RunningDashboard {
  dashboard: Dashboard;
  backend: LightspeedBackend;
  /** The settings file in use, and whether it was read or defaulted; null when settings are not kept. */
  settings: { file: string; loaded: boolean } | null;
  close(): Promise<void>;
}

/** Where `npm run build` puts the UI, relative to this file (same depth in src/ and dist/). */
export function defaultUiDir(): string {
  return fileURLToPath(new URL('../../../renderer/dist/ui/', import.meta.url));
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Thrown when the UI has not been built. */
export class UiMissing extends Error {}

/** Starts everything; `close()` stops it all (session, sockets, demo network). */
export async function runDashboard(o: RunDashboardOptions): Promise<RunningDashboard> {
  const uiDir = o.uiDir ?? defaultUiDir();
  if (!existsSync(path.join(uiDir, 'index.html'))) {
    throw new UiMissing(
      `the UI is not built (${path.join(uiDir, 'index.html')} is missing): run 'npm run build' first`,
    );
  }
  if (o.demo && o.settingsFile !== undefined)
    throw new Error("the demo's relays live only for the run, so its settings are not kept in a file");
  const store =
    o.settingsFile === undefined ? null : new SettingsStore(o.settingsFile, settingsFileSchema, o.log);
  const saved: Settings = store?.load() ?? DEFAULT_SETTINGS;
  // The last sessions' summaries live beside the settings file (the demo keeps them only for the run).
  const sessionsFile =
    o.settingsFile === undefined ? null : path.join(path.dirname(o.settingsFile), 'sessions.json');
  const registryCacheFile =
    o.settingsFile === undefined ? null : path.join(path.dirname(o.settingsFile), 'registry-cache.json');
  const env: DemoEnvironment | null = o.demo ? await startDemoEnvironment() : null;
  let dashboard: Dashboard | null = null;
  const notify = createNotifier(ipcSchema, (channel, payload) => dashboard?.broadcast(channel, payload));
  const backend = await createAppBackend({
    app: { version: packageVersion(), shell: 'dashboard', demo: env !== null },
    notify,
    // The demo's relays are on this machine: LightSpeed's registry is off there (Settings can turn it on).
    settings: env ? { ...DEFAULT_SETTINGS, relays: env.relays, defaultRegistry: false } : saved,
    ...(o.games ? { games: o.games } : {}),
    ...(store ? { saveSettings: (next: Settings) => store.set(next).then(() => undefined) } : {}),
    ...(sessionsFile === null ? {} : { sessionsFile }),
    ...(registryCacheFile === null ? {} : { registryCacheFile }),
    ...(env
      ? {
          extra: {
            extraGames: [env.game],
            onSessionStart: env.onSessionStart,
            onSessionEnd: env.onSessionEnd,
          },
        }
      : {}),
  });
  try {
    dashboard = await startDashboard({
      host: o.host,
      port: o.port,
      uiDir,
      dispatcher: createDispatcher(ipcSchema, backend.handlers),
      allowRemote: o.allowRemote ?? false,
    });
  } catch (err) {
    await env?.close();
    throw err;
  }
  void backend.init();
  const running = dashboard;
  return {
    dashboard: running,
    backend,
    settings: store ? { file: store.file, loaded: store.loadOutcome.source === 'file' } : null,
    close: async () => {
      await backend.close().catch(() => undefined);
      await store?.flush();
      await running.close();
      await env?.close();
    },
  };
}
