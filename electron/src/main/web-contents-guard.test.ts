import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import { guardWebContents } from './web-contents-guard.js';

/** Electron's WebContents event surface (Electron cannot start here), driven as Electron would drive it. */
class Contents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  devToolsClosed = 0;
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
  /** Emits `name` with a cancellable event; returns whether a listener prevented it. */
  attempt(name: string, url?: string): boolean {
    let prevented = false;
    const event = { url: url ?? '', preventDefault: () => (prevented = true) };
    this.emit(name, event, url);
    return prevented;
  }
}

const ORIGIN = 'app://lightspeed';

describe('the guard every web contents gets', () => {
  it('keeps navigation on the app origin, opens no windows, attaches no webviews', () => {
    const c = new Contents();
    const logged: string[] = [];
    guardWebContents(c, {
      origin: ORIGIN,
      packaged: false,
      log: (m) => logged.push(m),
    });
    expect(c.attempt('will-navigate', 'app://lightspeed/index.html#/settings')).toBe(false);
    expect(c.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.attempt('will-redirect', 'http://lightspeed/')).toBe(true);
    expect(c.attempt('will-frame-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.attempt('will-attach-webview')).toBe(true);
    expect(c.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(logged).toContain('blocked navigation to https://evil.example/');
    c.emit('devtools-opened');
    expect(c.devToolsClosed).toBe(0); // development builds keep DevTools
  });

  it('closes DevTools at once in a packaged build', () => {
    const c = new Contents();
    guardWebContents(c, { origin: ORIGIN, packaged: true, log: () => {} });
    c.emit('devtools-opened');
    expect(c.devToolsClosed).toBe(1);
  });
});
