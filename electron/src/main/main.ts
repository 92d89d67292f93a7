/**
 * Electron main process entry (bundled by Forge's Vite plugin). Glue only: the decisions live in pure
 * modules beside this file (window options, CSP, navigation policy, tray model, settings store); the
 * product logic lives in the IPC backend and the engine, which never import Electron.
 */
import path from 'node:path';

import { app, ipcMain, protocol, session, type BrowserWindow } from 'electron';

import { catalog, detectGames } from '@lightspeed/games';
import {
  createDispatcher,
  createNotifier,
  ipcSchema,
  settingsFileSchema,
  type LightspeedNotifier,
  type Settings,
} from '@lightspeed/shared';

import { CAPTURE_HELPER_FLAG } from '../ipc-backend/capture-helper.js';
import { createAppBackend } from '../ipc-backend/app-backend.js';
import { dashboardSettingsPath, registryCachePath, sessionsPath } from '../ipc-backend/config-dir.js';
import { adoptSessions } from '../ipc-backend/session-history.js';
import { runCaptureHelper } from './capture-helper-mode.js';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES } from './app-protocol.js';
import { APP_ORIGIN, developmentCsp, PRODUCTION_CSP, serializeCsp } from './content-security-policy.js';
import { desktopStateSchema, SETTINGS_FILE_NAME, startingSettings } from './desktop-state.js';
import { registerIpc } from './ipc-main-bridge.js';
import { autostartPath, loginItemSettings, setLinuxAutostart, startsHidden } from './login-item.js';
import { createMainWindow, revealWindow } from './main-window.js';
import { isSameOrigin } from './navigation-policy.js';
import { hardenSession, serveAppProtocol } from './session-security.js';
import { SettingsStore } from '../ipc-backend/settings-store.js';
import { TrayController } from './tray-controller.js';
import { guardWebContents } from './web-contents-guard.js';
import { TrayState } from './tray-state.js';

const log = {
  info: (message: string): void => console.log(`[lightspeed] ${message}`),
  warn: (message: string): void => console.warn(`[lightspeed] ${message}`),
};

// Must happen before 'ready'.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const devServerUrl = MAIN_WINDOW_VITE_DEV_SERVER_URL;
const origin = devServerUrl ?? APP_ORIGIN;
const csp = serializeCsp(devServerUrl === undefined ? PRODUCTION_CSP : developmentCsp(devServerUrl));

let window: BrowserWindow | null = null;
let quitting = false;

if (process.argv.includes(CAPTURE_HELPER_FLAG)) {
  // Capture's privileged helper (started through pkexec by the app itself): no window, no tray, no single
  // instance lock; it runs `lightspeed capture --request -` and exits with its status.
  app.disableHardwareAcceleration();
  runCaptureHelper(process.argv.slice(process.argv.indexOf(CAPTURE_HELPER_FLAG) + 1)).then(
    (code) => app.exit(code),
    (err: unknown) => {
      log.warn(`capture helper: ${String(err)}`);
      app.exit(1);
    },
  );
} else if (!app.requestSingleInstanceLock()) {
  // Another instance owns the tray and the engine; it focuses its window on 'second-instance'.
  app.quit();
} else {
  // Every web contents Electron creates — this window, any view or frame — gets the same guard.
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, { origin, packaged: app.isPackaged, log: log.warn }),
  );
  app.on('second-instance', () => {
    if (window !== null) revealWindow(window);
  });
  app.whenReady().then(start, (err: unknown) => {
    log.warn(`startup failed: ${String(err)}`);
    app.exit(1);
  });
}

/** Applies start-at-login to the OS. */
async function applyStartAtLogin(enabled: boolean): Promise<void> {
  if (!app.isPackaged) return; // a dev build must not register the bare electron binary
  if (process.platform === 'linux') {
    await setLinuxAutostart(
      autostartPath(process.env, app.getPath('home')),
      enabled,
      process.env.APPIMAGE ?? process.execPath,
    );
  } else {
    app.setLoginItemSettings(loginItemSettings(enabled));
  }
}

async function start(): Promise<void> {
  // The app's own state (the tray's last boost) in userData; the user's settings, session history and
  // registry cache in <config dir>/lightspeed/, shared with the dashboard and the CLI.
  const store = new SettingsStore(
    path.join(app.getPath('userData'), SETTINGS_FILE_NAME),
    desktopStateSchema,
    log,
  );
  const saved = store.load();
  const home = app.getPath('home');
  const settingsStore = new SettingsStore(
    dashboardSettingsPath(process.platform, process.env, home),
    settingsFileSchema,
    log,
  );
  const shared = settingsStore.load();
  const starting = startingSettings(
    { settings: shared, outcome: settingsStore.loadOutcome },
    { state: saved, outcome: store.loadOutcome },
  );
  let settings: Settings = starting.settings;
  if (starting.adopt) {
    await settingsStore
      .set(settings)
      .then(() => log.info(`settings moved to ${settingsStore.file}, shared with the dashboard and the CLI`))
      .catch((err: unknown) => log.warn(`moving settings to ${settingsStore.file}: ${String(err)}`));
  }
  const sessionsFile = sessionsPath(process.platform, process.env, home);
  await adoptSessions(path.join(app.getPath('userData'), 'sessions.json'), sessionsFile).catch(
    (err: unknown) => log.warn(`moving the session history: ${String(err)}`),
  );
  const trayState = new TrayState(saved.lastBoost);

  const resourcesDir = app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources');
  if (devServerUrl === undefined)
    serveAppProtocol(path.join(__dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME), csp);
  hardenSession(session.defaultSession, csp);

  const show = (): void => {
    if (window !== null) revealWindow(window);
  };
  // The tray's actions call the backend's handlers directly: main is trusted, no IPC round trip.
  const tray = new TrayController(resourcesDir, {
    'boost-last': () => {
      const last = trayState.lastBoost;
      if (last === null) return;
      Promise.resolve()
        .then(() => backend.handlers.boost.start({ target: last.target }))
        .catch((err: unknown) => {
          log.warn(`boost from tray: ${String(err)}`);
          show();
        });
    },
    stop: () => {
      Promise.resolve()
        .then(() => backend.handlers.boost.stop(undefined))
        .catch((err: unknown) => log.warn(`stop: ${String(err)}`));
    },
    show,
    quit: () => app.quit(),
  });
  tray.update(trayState.view());

  const toWindows = createNotifier(ipcSchema, (channel, payload) => {
    if (window !== null && !window.isDestroyed()) window.webContents.send(channel, payload);
  });
  // The shell listens to the notifications the UI gets: the tray follows the session, and settings
  // changes reach the OS (start at login) and the close button (close to tray).
  const notify: LightspeedNotifier = {
    ...toWindows,
    boost: {
      state: (status) => {
        toWindows.boost.state(status);
        const last = trayState.onStatus(status);
        if (last !== null) {
          store
            .update({ lastBoost: last })
            .catch((err: unknown) => log.warn(`saving last boost: ${String(err)}`));
        }
        tray.update(trayState.view());
      },
      stats: (stats) => {
        toWindows.boost.stats(stats);
        trayState.onStats(stats);
        tray.update(trayState.view());
      },
    },
    settings: {
      changed: (next) => {
        toWindows.settings.changed(next);
        if (next.startAtLogin !== settings.startAtLogin) {
          applyStartAtLogin(next.startAtLogin).catch((err: unknown) =>
            log.warn(`start at login: ${String(err)}`),
          );
        }
        settings = next;
      },
    },
  };

  const backend = await createAppBackend({
    app: { version: app.getVersion(), shell: 'electron', demo: false },
    games: { catalog, detect: () => detectGames() },
    notify,
    settings,
    saveSettings: async (next: Settings) => {
      await settingsStore.set(next);
    },
    // The last 50 session summaries (Session → Recent sessions): one history with the dashboard and the CLI.
    sessionsFile,
    // The relay registries' last good copies, so a registry briefly unreachable still gives relays.
    registryCacheFile: registryCachePath(process.platform, process.env, home),
  });
  const dispatcher = createDispatcher(ipcSchema, backend.handlers, (channel, err) =>
    log.warn(`${channel}: ${err.message}`),
  );
  registerIpc(
    ipcMain,
    dispatcher,
    (url) => url !== null && isSameOrigin(url, origin),
    (channel) => log.warn(`refused IPC ${channel} from a foreign frame`),
  );

  window = createMainWindow({
    preload: path.join(__dirname, 'preload.cjs'),
    icon: path.join(resourcesDir, 'icons', 'png', '256x256.png'),
    url: devServerUrl ?? APP_ENTRY_URL,
    origin,
    hidden: startsHidden(process.argv, app.getLoginItemSettings().wasOpenedAtLogin),
    closeToTray: () => settings.closeToTray,
    quitting: () => quitting,
    log: log.warn,
    devTools: !app.isPackaged,
  });
  window.on('closed', () => {
    window = null;
  });

  // Keep the OS in step with the saved preference (e.g. after an update moved the executable).
  applyStartAtLogin(settings.startAtLogin).catch((err: unknown) =>
    log.warn(`start at login: ${String(err)}`),
  );

  app.on('window-all-closed', () => {
    // Only reached when close-to-tray is off (otherwise closing hides the window).
    if (!settings.closeToTray) app.quit();
  });
  app.on('activate', show);

  let closed = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (closed) return;
    // Stop the session first so its sockets close cleanly, then quit for real.
    event.preventDefault();
    closed = true;
    backend
      .close()
      .catch((err: unknown) => log.warn(`closing: ${String(err)}`))
      .finally(() => {
        tray.destroy();
        app.quit();
      });
  });

  await backend.init();
  const outcome = settingsStore.loadOutcome;
  log.info(`ready; settings ${outcome.source === 'file' ? 'loaded' : 'defaulted'} (${settingsStore.file})`);
}
