/**
 * The guard every web contents gets, from `app.on('web-contents-created')`: whatever window, view or
 * frame Electron creates, it stays on the app's origin, opens no windows, attaches no webviews, and in a
 * packaged build never keeps DevTools open.
 */
import { allowNavigation, WINDOW_OPEN_DECISION } from './navigation-policy.js';

/** The part of Electron's WebContents the guard uses (structural, so a plain Node test can drive it). */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(
    event: 'will-frame-navigate',
    listener: (event: { preventDefault(): void; url: string }) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'devtools-opened', listener: () => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => typeof WINDOW_OPEN_DECISION): void;
  closeDevTools(): void;
}

export interface GuardOptions {
  /** The one origin the app's pages come from. */
  origin: string;
  /** A packaged build: DevTools are closed the moment they open. */
  packaged: boolean;
  log: (message: string) => void;
}

export function guardWebContents(contents: GuardedContents, o: GuardOptions): void {
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
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    o.log('blocked a <webview>');
  });
  if (o.packaged) {
    contents.on('devtools-opened', () => {
      contents.closeDevTools();
      o.log('closed DevTools (packaged build)');
    });
  }
}
