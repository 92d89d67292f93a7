/**
 * The one set of BrowserWindow options the shell uses. Pure data (type-only import of Electron), so a
 * plain Node test can check the security settings; main-window.ts constructs windows only from here.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** Security-relevant web preferences: isolated, sandboxed, no Node in any renderer context. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  enableBlinkFeatures: '',
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

/** Dark window chrome so the first paint matches the UI's theme. */
export const WINDOW_BACKGROUND = '#0b0f17';

/**
 * Options for the main window; `preload` is the absolute path of the bundled preload script. DevTools
 * only in development: a packaged build has none.
 */
export function mainWindowOptions(
  preload: string,
  icon?: string,
  devTools = false,
): BrowserWindowConstructorOptions {
  return {
    title: 'LightSpeed',
    width: 1120,
    height: 740,
    minWidth: 880,
    minHeight: 560,
    // Shown on 'ready-to-show' to avoid a white flash.
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    ...(icon === undefined ? {} : { icon }),
    webPreferences: { ...SECURE_WEB_PREFERENCES, devTools, preload },
  };
}
