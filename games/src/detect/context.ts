/**
 * Resolves DetectOptions into what the per-launcher detectors need: the target platform's
 * directories (from the environment, with the OS defaults) as host paths, and the mapping of
 * absolute paths written in launcher files onto the host (see DetectOptions.root).
 */
import { homedir } from 'node:os';
import path from 'node:path';

import { catalog as defaultCatalog } from '../catalog/catalog.js';
import type { GameEntry, Os } from '../catalog/game-schema.js';
import type { DetectOptions, Platform, SkippedItem } from './types.js';

export interface Context {
  platform: Platform;
  os: Os;
  catalog: readonly GameEntry[];
  /** Home directory as a host path (HOME, or USERPROFILE on Windows). */
  home: string | undefined;
  /** Maps a path of the target machine (from a file or an OS default) to a host path. */
  toHost(p: string): string;
  /** Environment variable (case-insensitive on Windows), as a host path when it is a path. */
  envPath(name: string): string | undefined;
  /** Windows well-known directory: the env variable or its default. */
  winDir(name: WinDir): string | undefined;
  options: DetectOptions;
  skipped: SkippedItem[];
}

export type WinDir = 'LOCALAPPDATA' | 'APPDATA' | 'PROGRAMDATA' | 'ProgramFiles(x86)' | 'ProgramFiles';

const DRIVE_PATH = /^([A-Za-z]):(?:[\\/]+(.*))?$/;

/** Maps the target platform's name to the catalog's. */
export function osOf(platform: Platform): Os {
  return platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : 'linux';
}

/** Normalises a platform name; undefined when it is not one detection supports. */
export function asPlatform(p: string): Platform | undefined {
  return p === 'win32' || p === 'darwin' || p === 'linux' ? p : undefined;
}

/** Builds the detection context from options. */
export function makeContext(options: DetectOptions = {}): Context {
  const platform = options.platform ?? asPlatform(process.platform) ?? 'linux';
  const envGiven = options.env !== undefined;
  const env = options.env ?? process.env;
  const root = options.root === undefined ? undefined : path.resolve(options.root);

  const rawEnv = (name: string): string | undefined => {
    const direct = env[name];
    if (direct !== undefined && direct !== '') return direct;
    if (platform !== 'win32') return undefined;
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && v) return v;
    return undefined;
  };

  const toHost = (p: string): string => {
    if (platform === 'win32') {
      const m = DRIVE_PATH.exec(p);
      if (!m) return p;
      const rest = (m[2] ?? '').split(/[\\/]+/).filter((s) => s !== '');
      if (root !== undefined) return path.join(root, m[1]!.toUpperCase(), ...rest);
      if (process.platform === 'win32') return path.win32.join(`${m[1]!}:\\`, ...rest);
      return p; // a Windows path on a non-Windows host without a root: cannot exist here
    }
    if (root !== undefined && p.startsWith('/')) return path.join(root, p);
    return p;
  };

  const envPath = (name: string): string | undefined => {
    const v = rawEnv(name);
    if (v === undefined) return undefined;
    return platform === 'win32' ? toHost(v) : v;
  };

  let home: string | undefined;
  if (platform === 'win32') home = envPath('USERPROFILE') ?? envPath('HOME');
  else home = envPath('HOME');
  if (home === undefined && !envGiven) home = homedir();

  const winDir = (name: WinDir): string | undefined => {
    const v = envPath(name);
    if (v !== undefined) return v;
    switch (name) {
      case 'LOCALAPPDATA':
        return home === undefined ? undefined : path.join(home, 'AppData', 'Local');
      case 'APPDATA':
        return home === undefined ? undefined : path.join(home, 'AppData', 'Roaming');
      case 'PROGRAMDATA':
        return toHost('C:\\ProgramData');
      case 'ProgramFiles(x86)':
        return toHost('C:\\Program Files (x86)');
      case 'ProgramFiles':
        return toHost('C:\\Program Files');
    }
  };

  return {
    platform,
    os: osOf(platform),
    catalog: options.catalog ?? defaultCatalog,
    home,
    toHost,
    envPath,
    winDir,
    options,
    skipped: [],
  };
}

/**
 * Expands a catalog path template: `%VAR%` (Windows env / well-known dir) or `~/` at the start,
 * otherwise an absolute path of the target machine. Undefined when a variable is unknown.
 */
export function expandTemplate(ctx: Context, template: string): string | undefined {
  const parts = (s: string): string[] => s.split(/[\\/]+/).filter((x) => x !== '');
  const env = /^%([^%]+)%(.*)$/.exec(template);
  if (env) {
    const name = env[1]!;
    const known: readonly string[] = [
      'LOCALAPPDATA',
      'APPDATA',
      'PROGRAMDATA',
      'ProgramFiles(x86)',
      'ProgramFiles',
    ];
    const match = known.find((k) => k.toLowerCase() === name.toLowerCase());
    const base = match !== undefined ? ctx.winDir(match as WinDir) : ctx.envPath(name);
    return base === undefined ? undefined : path.join(base, ...parts(env[2] ?? ''));
  }
  if (template.startsWith('~/'))
    return ctx.home === undefined ? undefined : path.join(ctx.home, ...parts(template.slice(2)));
  return ctx.toHost(template);
}
