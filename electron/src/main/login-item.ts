/**
 * Start-at-login. Electron's `app.setLoginItemSettings` covers Windows and macOS; on Linux the desktop
 * convention is an XDG autostart entry, written here. Launched at login, the app starts in the tray.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { userConfigDir } from '../ipc-backend/config-dir.js';

/** Passed to the app when the OS starts it at login: start hidden in the tray. */
export const HIDDEN_ARG = '--hidden';

/** Whether this launch should keep the window hidden (started at login). */
export function startsHidden(argv: readonly string[], openedAtLogin: boolean): boolean {
  return openedAtLogin || argv.includes(HIDDEN_ARG);
}

/** The options for `app.setLoginItemSettings` (Windows, macOS). */
export function loginItemSettings(enabled: boolean): { openAtLogin: boolean; args: string[] } {
  return { openAtLogin: enabled, args: enabled ? [HIDDEN_ARG] : [] };
}

/** Quotes one Exec argument per the Desktop Entry specification. */
function quoteExecArg(arg: string): string {
  if (!/[\s"'\\`$;&|<>()*?#~=%]/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

/** The XDG autostart entry that starts `execPath` (plus `args`) hidden at login. */
export function autostartDesktopEntry(execPath: string, args: readonly string[] = []): string {
  const exec = [execPath, ...args, HIDDEN_ARG].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=LightSpeed',
    'Comment=Game network booster',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** `$XDG_CONFIG_HOME/autostart/lightspeed.desktop` (default `~/.config`). */
export function autostartPath(env: NodeJS.ProcessEnv, home: string): string {
  return path.join(userConfigDir('linux', env, home), 'autostart', 'lightspeed.desktop');
}

/** Writes or removes the Linux autostart entry. */
export async function setLinuxAutostart(
  file: string,
  enabled: boolean,
  execPath: string,
  args: readonly string[] = [],
): Promise<void> {
  if (!enabled) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, autostartDesktopEntry(execPath, args), { mode: 0o644 });
}
