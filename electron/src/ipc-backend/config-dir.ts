/**
 * Where per-user configuration lives on each OS, computed from the environment so tests (and a user's
 * XDG_CONFIG_HOME) can move it: `$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application
 * Support` on macOS, `%APPDATA%` (or `~\AppData\Roaming`) on Windows. Electron's own userData sits below it.
 */
import path from 'node:path';

export function userConfigDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return nonEmpty(env.APPDATA) ?? path.win32.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support');
  return nonEmpty(env.XDG_CONFIG_HOME) ?? path.posix.join(home, '.config');
}

/**
 * `<config dir>/lightspeed/dashboard-settings.json`: the user's settings, one file for the desktop app, the
 * dashboard and the CLI (named for the dashboard, which kept it first; the desktop app moved here from its
 * own userData folder, see `main/desktop-state.ts`).
 */
export function dashboardSettingsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? env.USERPROFILE ?? '.',
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(userConfigDir(platform, env, home), 'lightspeed', 'dashboard-settings.json');
}

/** `<config dir>/lightspeed/selector/`: the ML route selector's retrained model and session history. */
export function selectorDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? env.USERPROFILE ?? '.',
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(userConfigDir(platform, env, home), 'lightspeed', 'selector');
}

/** `<config dir>/lightspeed/sessions.json`: the last sessions of the desktop app, the dashboard and the CLI. */
export function sessionsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? env.USERPROFILE ?? '.',
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(userConfigDir(platform, env, home), 'lightspeed', 'sessions.json');
}

/** `<config dir>/lightspeed/registry-cache.json`: the relay registries' last good copies, beside the settings. */
export function registryCachePath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? env.USERPROFILE ?? '.',
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(userConfigDir(platform, env, home), 'lightspeed', 'registry-cache.json');
}

/**
 * The environment that puts the config dir back in the home of `uid` (from `/etc/passwd` text), for a
 * process started by sudo or pkexec that drops to the user who ran it: sudo resets HOME to root's and
 * drops XDG_CONFIG_HOME, so without this a capture would keep its summary in /root (or fail to, once
 * dropped). XDG_CONFIG_HOME is kept only when it lies in that home (`sudo -E`). Null: `uid` is not in passwd.
 */
export function invokingUserEnv(
  env: NodeJS.ProcessEnv,
  passwd: string,
  uid: number,
): { HOME: string; XDG_CONFIG_HOME: string | undefined } | null {
  const entry = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((f) => f.length >= 7 && f[2] === String(uid));
  const home = entry?.[5];
  if (home === undefined || !path.posix.isAbsolute(home)) return null;
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const inHome = xdg !== undefined && xdg.startsWith(home.endsWith('/') ? home : `${home}/`);
  return { HOME: home, XDG_CONFIG_HOME: inHome ? xdg : undefined };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
