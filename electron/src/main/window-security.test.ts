import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  APP_ORIGIN,
  developmentCsp,
  PRODUCTION_CSP,
  serializeCsp,
  withCspHeader,
} from './content-security-policy.js';
import { allowNavigation, isSameOrigin, WINDOW_OPEN_DECISION } from './navigation-policy.js';
import { mainWindowOptions, SECURE_WEB_PREFERENCES } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('window options', () => {
  it('isolate, sandbox and keep Node out of every renderer context', () => {
    const options = mainWindowOptions('/app/.vite/build/preload.cjs');
    expect(options.webPreferences).toEqual({
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
      devTools: false,
      preload: '/app/.vite/build/preload.cjs',
    });
    expect(options.show).toBe(false);
    expect(mainWindowOptions('/p.cjs', undefined, true).webPreferences?.devTools).toBe(true);
  });

  it('take the icon but no other say from the caller', () => {
    const options = mainWindowOptions('/p.cjs', '/icon.png');
    expect(options.webPreferences).toMatchObject(SECURE_WEB_PREFERENCES);
    expect(options.icon).toBe('/icon.png');
  });
});

describe('content security policy', () => {
  it('is strict in production: nothing inline, nothing evaluated, connections to its own origin only', () => {
    expect(serializeCsp(PRODUCTION_CSP)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
        "frame-src 'none'; worker-src 'none'",
    );
    const all = Object.values(PRODUCTION_CSP).flat();
    expect(all).not.toContain("'unsafe-eval'");
    expect(all).not.toContain("'unsafe-inline'");
    expect(all.filter((s) => s === '*' || (s.endsWith(':') && s !== 'data:'))).toEqual([]);
  });

  it('in development allows only the dev server (HTTP and its HMR socket) and never eval', () => {
    const dev = developmentCsp('http://localhost:5173');
    expect(dev['connect-src']).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173']);
    expect(Object.values(dev).flat()).not.toContain("'unsafe-eval'");
    expect(dev['object-src']).toEqual(["'none'"]);
    expect(dev['default-src']).toEqual(["'none'"]);
  });

  it('replaces any CSP header the server sent, whatever its case', () => {
    const headers = withCspHeader(
      { 'content-security-policy': ['script-src *'], 'Content-Type': 'text/html' },
      'x',
    );
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ['x'] });
  });
});

describe('navigation policy', () => {
  it('allows the app origin and nothing else', () => {
    expect(allowNavigation(`${APP_ORIGIN}/index.html#/relays`, APP_ORIGIN)).toBe(true);
    expect(allowNavigation('http://localhost:5173/?x', 'http://localhost:5173')).toBe(true);
    for (const url of [
      'https://example.com/',
      'app://other/index.html',
      'file:///etc/passwd',
      'http://localhost:5174/',
      'javascript:alert(1)',
      'data:text/html,hi',
      'http://user:pw@localhost:5173/',
      'not a url',
    ]) {
      expect(isSameOrigin(url, url.startsWith('app:') ? APP_ORIGIN : 'http://localhost:5173')).toBe(false);
    }
    expect(WINDOW_OPEN_DECISION).toEqual({ action: 'deny' });
  });
});

/** Shell sources (not tests) under electron/src/main and electron/src/preload. */
function shellSources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const dir of [here, path.join(here, '../preload')]) {
    for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.ts') || entry.endsWith('.test.ts')) continue;
      const file = path.join(dir, entry);
      out.push({ file: path.relative(here, file), text: readFileSync(file, 'utf8') });
    }
  }
  return out;
}

describe('the shell uses these options and nothing else', () => {
  const sources = shellSources();

  it('constructs BrowserWindow in exactly one place, from mainWindowOptions', () => {
    const constructions = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/new\s+BrowserWindow\s*\(([^)]*\))/g)].map((m) => ({ file, args: m[1] })),
    );
    expect(constructions).toEqual([
      { file: 'main-window.ts', args: 'mainWindowOptions(o.preload, o.icon, o.devTools)' },
    ]);
  });

  it('writes webPreferences only in window-options.ts and never weakens them', () => {
    const withPrefs = sources.filter(({ text }) => /webPreferences\s*:/.test(text)).map(({ file }) => file);
    expect(withPrefs).toEqual(['window-options.ts']);
    for (const { file, text } of sources) {
      for (const weak of [
        /nodeIntegration\w*\s*:\s*true/,
        /contextIsolation\s*:\s*false/,
        /sandbox\s*:\s*false/,
        /webSecurity\s*:\s*false/,
        /'unsafe-eval'/,
      ]) {
        expect(weak.test(text), `${file} matches ${String(weak)}`).toBe(false);
      }
    }
  });

  it('blocks navigation and window.open and applies the CSP in the main process', () => {
    // The guard (its behaviour is tested in web-contents-guard.test.ts) covers every web contents.
    const guard = sources.find((s) => s.file === 'web-contents-guard.ts')?.text ?? '';
    expect(guard).toMatch(/on\('will-navigate', guard\)/);
    expect(guard).toMatch(/on\('will-redirect', guard\)/);
    expect(guard).toMatch(/setWindowOpenHandler\([^]*WINDOW_OPEN_DECISION/);
    const session = sources.find((s) => s.file === 'session-security.ts')?.text ?? '';
    expect(session).toMatch(/onHeadersReceived/);
    expect(session).toMatch(/headers\.set\('Content-Security-Policy', csp\)/);
    const main = sources.find((s) => s.file === 'main.ts')?.text ?? '';
    expect(main).toMatch(/requestSingleInstanceLock\(\)/);
    expect(main).toMatch(/hardenSession\(session\.defaultSession, csp\)/);
    expect(main).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) =>\s+guardWebContents\(contents/,
    );
    expect(main).toMatch(/devTools: !app\.isPackaged/);
  });

  it('keeps Electron out of the pure modules', () => {
    const glue = new Set([
      'main.ts',
      'main-window.ts',
      'session-security.ts',
      'tray-controller.ts',
      path.join('..', 'preload', 'preload.ts'),
    ]);
    for (const { file, text } of sources) {
      if (glue.has(file)) continue;
      expect(/^import (?!type)[^;]*from 'electron'/m.test(text), `${file} imports electron at run time`).toBe(
        false,
      );
    }
  });
});
