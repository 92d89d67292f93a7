/**
 * The main window: built only from `mainWindowOptions`, locked to the app's own origin (no navigation
 * elsewhere, no new windows, no webviews), and hidden instead of closed while the tray keeps the app alive.
 */
import { BrowserWindow } from 'electron';

import { allowNavigation, WINDOW_OPEN_DECISION } from './navigation-policy.js';
import { mainWindowOptions } from './window-options.js';

export interface MainWindowOptions {
  preload: string;
  icon?: string;
  /** The URL to load: the app:// entry or the Vite dev server. */
  url: string;
  /** The only origin the window may show. */
  origin: string;
  /** Start hidden (launched at login). */
  hidden: boolean;
  /** Whether closing the window should hide it to the tray instead. */
  closeToTray: () => boolean;
  /** True once the app is quitting for real. */
  quitting: () => boolean;
  log: (message: string) => void;
}

/** Creates and loads the main window. */
export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(o.preload, o.icon));
  const contents = win.webContents;

  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (allowNavigation(url, o.origin)) return;
    event.preventDefault();
    o.log(`blocked navigation to ${url}`);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    o.log(`blocked window.open(${url})`);
    return WINDOW_OPEN_DECISION;
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  win.once('ready-to-show', () => {
    if (!o.hidden) win.show();
  });
  win.on('close', (event) => {
    if (o.quitting() || !o.closeToTray()) return;
    event.preventDefault();
    win.hide();
  });

  win.loadURL(o.url).catch((err: unknown) => o.log(`failed to load ${o.url}: ${String(err)}`));
  return win;
}

/** Brings `win` to the front (second instance, tray "Show"). */
export function revealWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
