/**
 * The main window: built only from `mainWindowOptions`, locked to the app's own origin (no navigation
 * elsewhere, no new windows, no webviews), and hidden instead of closed while the tray keeps the app alive.
 */
import { BrowserWindow } from 'electron';

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
  /** DevTools allowed (development builds only). */
  devTools: boolean;
}

/** Creates and loads the main window. */
export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(o.preload, o.icon, o.devTools));
  // Navigation, window.open, webviews and DevTools: guarded for every web contents in main.ts
  // (app 'web-contents-created' → web-contents-guard.ts), this window's included.

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
