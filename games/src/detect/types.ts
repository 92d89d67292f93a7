import type { GameEntry } from '../catalog/game-schema.js';

/** Platforms detection understands (Node's process.platform spelling). */
export type Platform = 'win32' | 'darwin' | 'linux';

/** Where an install was found. */
export type InstallSource = 'steam' | 'epic' | 'heroic' | 'legendary' | 'riot' | 'battlenet' | 'roblox';

/** A catalogued game found on disk. */
export interface InstalledGame {
  gameId: string;
  name: string;
  /** Directory the game is installed in (host path, exists at detection time). */
  installPath: string;
  source: InstallSource;
  /** Steam library the game lives in. */
  libraryPath?: string;
}

/** A catalogued game whose process is running. */
export interface RunningGame {
  gameId: string;
  name: string;
  pid: number;
  processName: string;
}

/** Something detection looked at and could not use, with the reason. Never fatal. */
export interface SkippedItem {
  source: InstallSource | 'processes';
  path: string;
  reason: string;
  gameId?: string;
}

/** One process from the OS process list. */
export interface ProcessInfo {
  pid: number;
  /** Short name: /proc/<pid>/comm on Linux (max 15 chars), image name on Windows, comm on macOS. */
  name: string;
  /** argv, when the platform exposes it (Linux). */
  cmdline?: string[];
}

/** Lists the running processes. Injectable so tests can use a fixture list. */
export type ProcessListProvider = () => Promise<ProcessInfo[]>;

/** Reads a registry value (Windows only); undefined when absent. */
export type RegistryReader = (key: string, value: string) => Promise<string | undefined>;

export interface DetectOptions {
  /** Platform whose layout to look for (default process.platform). */
  platform?: Platform;
  /**
   * Environment (default process.env): HOME; on Windows USERPROFILE, LOCALAPPDATA, APPDATA,
   * PROGRAMDATA, ProgramFiles(x86); XDG_CONFIG_HOME / XDG_DATA_HOME on Linux. When an env is
   * given, the real home directory is never used as a fallback.
   */
  env?: Record<string, string | undefined>;
  /**
   * Host directory standing in for the filesystem root of the target machine. Absolute paths that
   * come from launcher files or OS defaults (`C:\Games\X` → `<root>/C/Games/X`, `/Applications` →
   * `<root>/Applications`) are resolved under it; Windows env values with a drive letter are too.
   * POSIX env values (HOME) are host paths and are used as they are.
   */
  root?: string;
  /** Games to look for (default: the catalog). */
  catalog?: readonly GameEntry[];
  /** Windows registry reader; used only when really running on Windows. */
  readRegistry?: RegistryReader;
  /** Riot Games data directories (default: %PROGRAMDATA%\Riot Games, /Users/Shared/Riot Games). */
  riotRoots?: string[];
  /** Process list provider (default: the platform's own, only when platform is the host's). */
  listProcesses?: ProcessListProvider;
}

export interface DetectResult {
  installed: InstalledGame[];
  running: RunningGame[];
  skipped: SkippedItem[];
}
