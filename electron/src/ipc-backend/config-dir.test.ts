import { describe, expect, it } from 'vitest';

import { dashboardSettingsPath, userConfigDir } from './config-dir.js';

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
