/**
 * Steam: install directory → steamapps/libraryfolders.vdf → every library →
 * steamapps/appmanifest_<appid>.acf → installdir → <library>/steamapps/common/<installdir>.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

import { parseVdf, vdfObject, vdfString, type VdfObject } from '../vdf/vdf.js';
import type { Context } from './context.js';
import { canonical, isDirectory, readTextFile } from './fs-util.js';
import type { InstalledGame } from './types.js';

/** Candidate Steam install directories for the target platform (host paths, unverified). */
export async function steamRootCandidates(ctx: Context): Promise<string[]> {
  const out: string[] = [];
  const home = ctx.home;
  if (ctx.platform === 'win32') {
    // The real `reg` is only run on Windows; tests inject a reader to cover this branch elsewhere.
    const reader = ctx.options.readRegistry ?? (process.platform === 'win32' ? regQuery : undefined);
    if (reader) {
      const fromRegistry = await reader('HKCU\\Software\\Valve\\Steam', 'SteamPath').catch(() => undefined);
      if (fromRegistry) out.push(ctx.toHost(fromRegistry));
    }
    for (const dir of [ctx.winDir('ProgramFiles(x86)'), ctx.winDir('ProgramFiles')]) {
      if (dir !== undefined) out.push(path.join(dir, 'Steam'));
    }
  } else if (ctx.platform === 'darwin') {
    if (home !== undefined) out.push(path.join(home, 'Library', 'Application Support', 'Steam'));
  } else {
    const dataHome = ctx.envPath('XDG_DATA_HOME');
    if (dataHome !== undefined) out.push(path.join(dataHome, 'Steam'));
    if (home !== undefined) {
      out.push(
        // ~/.steam/steam and ~/.steam/root are usually symlinks to this one (de-duplicated below).
        path.join(home, '.local', 'share', 'Steam'),
        path.join(home, '.steam', 'steam'),
        path.join(home, '.steam', 'root'),
        // Flatpak (com.valvesoftware.Steam) and Snap keep Steam inside the sandbox's home.
        path.join(home, '.var', 'app', 'com.valvesoftware.Steam', '.local', 'share', 'Steam'),
        path.join(home, '.var', 'app', 'com.valvesoftware.Steam', 'data', 'Steam'),
        path.join(home, 'snap', 'steam', 'common', '.local', 'share', 'Steam'),
      );
    }
  }
  return out;
}

/** `reg query` for the real Windows registry; undefined when the value is absent. */
export function regQuery(key: string, value: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('reg', ['query', key, '/v', value], { windowsHide: true, timeout: 5000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      const line = stdout.split(/\r?\n/).find((l) => l.trim().startsWith(value));
      const m = line === undefined ? null : /REG_\w+\s+(.*)$/.exec(line.trim());
      resolve(m?.[1]?.trim() || undefined);
    });
  });
}

/** Library paths listed in a libraryfolders.vdf document (both the current and the pre-2021 layout). */
export function libraryPathsFromVdf(doc: VdfObject): string[] {
  const folders = vdfObject(doc, 'libraryfolders');
  if (!folders) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(folders)) {
    if (typeof value === 'object') {
      const p = vdfString(value, 'path');
      if (p) out.push(p);
    } else if (/^\d+$/.test(key) && value !== '') {
      out.push(value); // old format: "1"  "D:\\SteamLibrary"
    }
  }
  return out;
}

/** Finds catalogued Steam games in every library of every Steam install. */
export async function detectSteam(ctx: Context): Promise<InstalledGame[]> {
  const games = ctx.catalog.filter((g) => g.store.steamAppId !== undefined);
  const roots: string[] = [];
  const seenRoots = new Set<string>();
  for (const candidate of await steamRootCandidates(ctx)) {
    if (!(await isDirectory(path.join(candidate, 'steamapps')))) continue;
    const real = await canonical(candidate);
    if (seenRoots.has(real)) continue;
    seenRoots.add(real);
    roots.push(candidate);
  }

  // The Steam directory itself is always a library, even when libraryfolders.vdf is broken.
  const libraries: string[] = [];
  const seenLibraries = new Set<string>();
  const addLibrary = async (dir: string): Promise<void> => {
    const real = await canonical(dir);
    if (seenLibraries.has(real)) return;
    seenLibraries.add(real);
    libraries.push(dir);
  };
  for (const root of roots) {
    await addLibrary(root);
    for (const listed of await readLibraryFolders(ctx, root)) {
      const host = ctx.toHost(listed);
      if (!(await isDirectory(path.join(host, 'steamapps')))) {
        ctx.skipped.push({
          source: 'steam',
          path: host,
          reason: 'library folder listed in libraryfolders.vdf is missing',
        });
        continue;
      }
      await addLibrary(host);
    }
  }

  const found: InstalledGame[] = [];
  for (const library of libraries) {
    for (const game of games) {
      const manifest = path.join(library, 'steamapps', `appmanifest_${game.store.steamAppId}.acf`);
      const acf = await readVdf(ctx, manifest, 'app manifest', game.id);
      if (acf === undefined) continue;
      const state = vdfObject(acf, 'AppState');
      const installdir = state && vdfString(state, 'installdir');
      if (!installdir) {
        ctx.skipped.push({
          source: 'steam',
          path: manifest,
          reason: 'app manifest has no AppState.installdir',
          gameId: game.id,
        });
        continue;
      }
      const appid = state && vdfString(state, 'appid');
      if (appid !== undefined && appid !== String(game.store.steamAppId)) {
        ctx.skipped.push({
          source: 'steam',
          path: manifest,
          reason: `app manifest is for app ${appid}, not ${game.store.steamAppId}`,
          gameId: game.id,
        });
        continue;
      }
      const installPath = path.join(library, 'steamapps', 'common', ...installdir.split(/[\\/]+/));
      if (!(await isDirectory(installPath))) {
        ctx.skipped.push({
          source: 'steam',
          path: manifest,
          reason: `install directory ${installPath} is missing`,
          gameId: game.id,
        });
        continue;
      }
      found.push({ gameId: game.id, name: game.name, installPath, source: 'steam', libraryPath: library });
    }
  }
  return found;
}

async function readLibraryFolders(ctx: Context, root: string): Promise<string[]> {
  // steamapps/ is current; config/ held the file in older clients.
  for (const rel of [
    ['steamapps', 'libraryfolders.vdf'],
    ['config', 'libraryfolders.vdf'],
  ]) {
    const file = path.join(root, ...rel);
    const vdf = await readVdf(ctx, file, 'VDF');
    if (vdf === undefined) continue; // missing or skipped: an older client may have left the other one
    if (!vdfObject(vdf, 'libraryfolders')) {
      ctx.skipped.push({ source: 'steam', path: file, reason: 'no "libraryfolders" block' });
      continue;
    }
    return libraryPathsFromVdf(vdf);
  }
  return [];
}

/** Reads and parses a VDF file: undefined when it is missing (silently) or unreadable or malformed (skipped, with why). */
async function readVdf(
  ctx: Context,
  file: string,
  what: string,
  gameId?: string,
): Promise<VdfObject | undefined> {
  const read = await readTextFile(file);
  if (!read.ok) {
    if (!read.missing) ctx.skipped.push({ source: 'steam', path: file, reason: read.reason, gameId });
    return undefined;
  }
  const parsed = parseVdf(read.text);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    const reason = `malformed ${what}: ${message} at ${line}:${column}`;
    ctx.skipped.push({ source: 'steam', path: file, reason, gameId });
    return undefined;
  }
  return parsed.value;
}
