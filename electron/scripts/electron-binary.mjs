#!/usr/bin/env node
// Electron's binary, without making installs depend on downloading it.
//
//   node electron/scripts/electron-binary.mjs install   root "postinstall": fetch the binary with Electron's
//       own installer (its install script is denied in allowScripts, so its failure cannot fail npm install);
//       if the download fails (offline, a locked-down network), say so once and exit 0.
//   node electron/scripts/electron-binary.mjs check     before "npm start": exit 0 when the binary is there;
//       otherwise say the desktop window is unavailable and how to open the same UI in a browser, exit 1.
//
// Plain JS (it runs before the workspaces are built). ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the download.
// LIGHTSPEED_ELECTRON_DIR names the electron package directory (tests point it at a fixture).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function electronDir() {
  if (process.env.LIGHTSPEED_ELECTRON_DIR) return process.env.LIGHTSPEED_ELECTRON_DIR;
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** True when Electron's installer has put a binary for this version in place (its own isInstalled()). */
function installed(dir) {
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (
      readFileSync(join(dir, 'dist', 'version'), 'utf8')
        .replace(/^v/, '')
        .trim() !== version
    )
      return false;
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8');
    return existsSync(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist', relative));
  } catch {
    return false;
  }
}

/** The line of a failed download worth showing (the error message, not its stack). */
function reason(output) {
  const lines = output.split('\n').map((l) => l.trim());
  return (
    lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines.find((l) => l !== '') ?? 'no output'
  );
}

const UNAVAILABLE =
  'The desktop window needs it; everything else works (the CLI, the relay, the dashboard).\n' +
  'Open the same UI in a browser:  npx lightspeed dashboard\n' +
  'To get the window later:        node node_modules/electron/install.js   (needs github.com), then npm start';

function install(dir) {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 0;
  if (dir === null || installed(dir)) return 0;
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0 && installed(dir)) return 0;
  const why = r.error ? r.error.message : reason(`${r.stderr}\n${r.stdout}`);
  process.stderr.write(`lightspeed: Electron's binary could not be downloaded (${why}).\n${UNAVAILABLE}\n`);
  return 0; // never fail the install for it
}

function check(dir) {
  if (dir !== null && installed(dir)) return 0;
  process.stderr.write(
    `lightspeed: the desktop window is unavailable: Electron's binary is not installed ` +
      `(npm install could not download it, or was told not to).\n${UNAVAILABLE}\n`,
  );
  return 1;
}

const mode = process.argv[2];
if (mode === 'install') process.exitCode = install(electronDir());
else if (mode === 'check') process.exitCode = check(electronDir());
else {
  process.stderr.write('usage: electron-binary.mjs install|check\n');
  process.exitCode = 2;
}
