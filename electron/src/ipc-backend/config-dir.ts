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

/** `<config dir>/lightspeed/dashboard-settings.json`: what `lightspeed dashboard` keeps between runs. */
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

/** `<config dir>/lightspeed/sessions.json`: the last sessions of the CLI and the dashboard (their summaries). */
export function sessionsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? env.USERPROFILE ?? '.',
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(userConfigDir(platform, env, home), 'lightspeed', 'sessions.json');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
