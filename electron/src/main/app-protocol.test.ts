import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES, resolveAppRequest } from './app-protocol.js';

const root = mkdtempSync(path.join(tmpdir(), 'ls-app-protocol-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
writeFileSync(path.join(root, 'assets', 'index-abc.js'), '');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('maps the entry and assets into the renderer folder', () => {
    expect(resolveAppRequest(APP_ENTRY_URL, root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppRequest('app://lightspeed/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppRequest('app://lightspeed/assets/index-abc.js?v=1#x', root)).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
  });

  it('never leaves the renderer folder', () => {
    for (const url of [
      'app://lightspeed/../../etc/passwd',
      'app://lightspeed/%2e%2e/%2e%2e/etc/passwd',
      'app://lightspeed/assets/%2e%2e%2f%2e%2e%2fsecret',
    ]) {
      const file = resolveAppRequest(url, root);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    expect(resolveAppRequest('app://lightspeed/..%5c..%5cwin.ini', root)).toBeNull();
    expect(resolveAppRequest('app://lightspeed/index.html%00.png', root)).toBeNull();
    expect(resolveAppRequest('app://lightspeed/%E0%A4%A', root)).toBeNull();
  });

  it('answers only its own scheme and host', () => {
    expect(resolveAppRequest('app://evil/index.html', root)).toBeNull();
    expect(resolveAppRequest('file:///index.html', root)).toBeNull();
    expect(resolveAppRequest('https://lightspeed/index.html', root)).toBeNull();
    expect(resolveAppRequest('::', root)).toBeNull();
  });

  it('is a standard, secure scheme so CSP and ES modules work as on the web', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true },
    });
  });
});
