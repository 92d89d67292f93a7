import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  autostartDesktopEntry,
  autostartPath,
  HIDDEN_ARG,
  loginItemSettings,
  setLinuxAutostart,
  startsHidden,
} from './login-item.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ls-login-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start at login', () => {
  it('registers the app with the hidden flag, and unregisters it', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(loginItemSettings(false)).toEqual({ openAtLogin: false, args: [] });
  });

  it('starts in the tray when the OS launched it at login', () => {
    expect(startsHidden(['/opt/LightSpeed/lightspeed', HIDDEN_ARG], false)).toBe(true);
    expect(startsHidden(['/opt/LightSpeed/lightspeed'], true)).toBe(true);
    expect(startsHidden(['/opt/LightSpeed/lightspeed'], false)).toBe(false);
  });

  it('writes an XDG autostart entry on Linux, quoting the path', async () => {
    const file = autostartPath({ XDG_CONFIG_HOME: dir }, '/home/nobody');
    expect(file).toBe(path.join(dir, 'autostart', 'lightspeed.desktop'));
    expect(autostartPath({}, '/home/p')).toBe('/home/p/.config/autostart/lightspeed.desktop');

    await setLinuxAutostart(file, true, '/opt/Light Speed/lightspeed');
    const entry = readFileSync(file, 'utf8');
    expect(entry).toContain('[Desktop Entry]\nType=Application\n');
    expect(entry).toContain(`Exec="/opt/Light Speed/lightspeed" ${HIDDEN_ARG}\n`);
    await setLinuxAutostart(file, false, '/opt/Light Speed/lightspeed');
    expect(existsSync(file)).toBe(false);
    await setLinuxAutostart(file, false, '/x'); // removing twice is fine
  });

  it('escapes characters the Desktop Entry Exec key treats specially', () => {
    expect(autostartDesktopEntry('/a/$HOME"x%/app')).toContain('Exec="/a/\\$HOME\\"x%%/app" --hidden');
  });
});
