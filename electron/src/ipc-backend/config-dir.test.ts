import { describe, expect, it } from 'vitest';

import {
  dashboardSettingsPath,
  invokingUserEnv,
  registryCachePath,
  sessionsPath,
  userConfigDir,
} from './config-dir.js';

describe('userConfigDir', () => {
  it('follows each OS: XDG on Linux, Application Support on macOS, APPDATA on Windows', () => {
    expect(userConfigDir('linux', {}, '/home/ana')).toBe('/home/ana/.config');
    expect(userConfigDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ana')).toBe('/xdg');
    expect(userConfigDir('linux', { XDG_CONFIG_HOME: '' }, '/home/ana')).toBe('/home/ana/.config');
    expect(userConfigDir('darwin', { XDG_CONFIG_HOME: '/xdg' }, '/Users/ana')).toBe(
      '/Users/ana/Library/Application Support',
    );
    expect(userConfigDir('win32', { APPDATA: 'D:\\Roaming' }, 'C:\\Users\\ana')).toBe('D:\\Roaming');
    expect(userConfigDir('win32', {}, 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming');
  });

  it('puts the dashboard settings in a lightspeed folder there', () => {
    expect(dashboardSettingsPath('linux', { XDG_CONFIG_HOME: '/xdg' }, '/h')).toBe(
      '/xdg/lightspeed/dashboard-settings.json',
    );
    expect(dashboardSettingsPath('win32', {}, 'C:\\Users\\ana')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\lightspeed\\dashboard-settings.json',
    );
  });
});

describe('one folder for the desktop app, the dashboard and the CLI', () => {
  it('keeps the settings, the session history and the registry cache side by side', () => {
    const env = { XDG_CONFIG_HOME: '/xdg' };
    expect(
      [dashboardSettingsPath, sessionsPath, registryCachePath].map((f) => f('linux', env, '/h')),
    ).toEqual([
      '/xdg/lightspeed/dashboard-settings.json',
      '/xdg/lightspeed/sessions.json',
      '/xdg/lightspeed/registry-cache.json',
    ]);
  });
});

describe('invokingUserEnv (sudo or pkexec, then a drop to the user who ran it)', () => {
  const passwd = [
    'root:x:0:0:root:/root:/bin/bash',
    'ana:x:1000:1000:Ana,,,:/home/ana:/bin/bash',
    'svc:x:998:998::relative:/usr/sbin/nologin',
  ].join('\n');

  it("points the config dir at the user's home, not root's", () => {
    const env = { HOME: '/root', SUDO_UID: '1000' };
    const fixed = invokingUserEnv(env, passwd, 1000);
    expect(fixed).toEqual({ HOME: '/home/ana', XDG_CONFIG_HOME: undefined });
    expect(sessionsPath('linux', { ...env, ...fixed }, fixed!.HOME)).toBe(
      '/home/ana/.config/lightspeed/sessions.json',
    );
  });

  it("keeps the user's own XDG_CONFIG_HOME (sudo -E), not one outside their home", () => {
    expect(invokingUserEnv({ XDG_CONFIG_HOME: '/home/ana/cfg' }, passwd, 1000)?.XDG_CONFIG_HOME).toBe(
      '/home/ana/cfg',
    );
    expect(
      invokingUserEnv({ XDG_CONFIG_HOME: '/root/.config' }, passwd, 1000)?.XDG_CONFIG_HOME,
    ).toBeUndefined();
    expect(
      invokingUserEnv({ XDG_CONFIG_HOME: '/home/anabel/.config' }, passwd, 1000)?.XDG_CONFIG_HOME,
    ).toBeUndefined();
  });

  it('gives nothing for a uid not in passwd or a home that is not absolute', () => {
    expect(invokingUserEnv({}, passwd, 4242)).toBeNull();
    expect(invokingUserEnv({}, passwd, 998)).toBeNull();
    expect(invokingUserEnv({}, '', 1000)).toBeNull();
  });
});
