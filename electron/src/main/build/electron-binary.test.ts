/**
 * electron/scripts/electron-binary.mjs (root postinstall and the guard before `npm start`), run as a child
 * process against fixture electron package directories: a failed download never fails the install and is
 * explained once; a missing binary makes `npm start` point at `npx lightspeed dashboard`, without a stack.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../../scripts/electron-binary.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ls-electron-binary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fake electron package whose install.js runs `body` (it records that it ran). */
function fixture(name: string, body: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '41.7.1' }));
  writeFileSync(join(dir, 'install.js'), `require('fs').writeFileSync(__dirname + '/ran', '1');\n${body}\n`);
  return dir;
}

const FAILING = `console.error(new Error('getaddrinfo ENOTFOUND github.com').stack); process.exit(1);`;
const SUCCEEDING = `const fs = require('fs');
fs.mkdirSync(__dirname + '/dist', { recursive: true });
fs.writeFileSync(__dirname + '/dist/version', 'v41.7.1');
fs.writeFileSync(__dirname + '/dist/electron', '');
fs.writeFileSync(__dirname + '/path.txt', 'electron');`;

function run(mode: string, dir: string, env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, [SCRIPT, mode], {
    encoding: 'utf8',
    env: { ...clean, LIGHTSPEED_ELECTRON_DIR: dir, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('electron binary (postinstall and npm start guard)', () => {
  it('a failed download exits 0 with one explanation naming the error and the dashboard', () => {
    const dir = fixture('offline', FAILING);
    const r = run('install', dir);
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'ran'))).toBe(true);
    expect(r.stderr).toContain(
      "Electron's binary could not be downloaded (Error: getaddrinfo ENOTFOUND github.com)",
    );
    expect(r.stderr).toContain('npx lightspeed dashboard');
    expect(r.stderr.match(/could not be downloaded/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it('npm start without the binary: says the window is unavailable and how to open the UI, exits 1', () => {
    const r = run('check', fixture('missing', FAILING));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lightspeed: the desktop window is unavailable/);
    expect(r.stderr).toContain('npx lightspeed dashboard');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a successful download is quiet, and then npm start may go on', () => {
    const dir = fixture('online', SUCCEEDING);
    const r = run('install', dir);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(run('check', dir)).toMatchObject({ status: 0, stderr: '' });
    rmSync(join(dir, 'ran'));
    expect(run('install', dir).status).toBe(0); // already installed: nothing to download
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD skips the download silently', () => {
    const dir = fixture('skip', FAILING);
    expect(run('install', dir, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toMatchObject({
      status: 0,
      stderr: '',
    });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it("is wired into package.json: postinstall, the npm start guard, and electron's own script denied", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      allowScripts?: Record<string, boolean>;
    };
    expect(pkg.scripts.postinstall).toBe('node electron/scripts/electron-binary.mjs install');
    expect(pkg.scripts.start).toMatch(
      /^node electron\/scripts\/electron-binary\.mjs check && electron-forge start$/,
    );
    // npm 11 blocks dependency install scripts unless allowed; electron's must stay off so that its
    // failing download cannot fail `npm install` (ours above runs it and tolerates failure).
    expect(pkg.allowScripts?.electron).toBe(false);
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).not.toMatch(/^export ELECTRON_SKIP_BINARY_DOWNLOAD/m);
  });
});
