import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { addonCandidates, loadNative, loadNativeFrom, MACOS_DETAIL } from './load.js';

const scratch = mkdtempSync(join(tmpdir(), 'ls-native-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loading the addon', () => {
  it('says not-built when the .node is absent, with the reason the build recorded', () => {
    const root = join(scratch, 'recorded');
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(
      join(root, 'build', 'unavailable.json'),
      JSON.stringify({
        reason: 'no-compiler',
        detail: 'no C++ compiler found: apt-get install g++ make python3',
      }),
    );
    expect(loadNativeFrom(addonCandidates(root, 'linux').slice(-1), { root, platform: 'linux' })).toEqual({
      ok: false,
      reason: 'not-built',
      detail: 'no C++ compiler found: apt-get install g++ make python3',
    });
    const never = join(scratch, 'never-built');
    const result = loadNativeFrom([join(never, 'build', 'Release', 'lightspeed_native.node')], {
      root: never,
    });
    expect(result).toMatchObject({ ok: false, reason: 'not-built' });
    expect(!result.ok && result.detail).toMatch(/npm install/);
  });

  it('looks where LIGHTSPEED_NATIVE_PATH says first (the packaged app), then in build/', () => {
    const saved = process.env.LIGHTSPEED_NATIVE_PATH;
    try {
      process.env.LIGHTSPEED_NATIVE_PATH = '/opt/LightSpeed/resources/lightspeed_native.node';
      expect(addonCandidates('/r', 'linux')).toEqual([
        '/opt/LightSpeed/resources/lightspeed_native.node',
        '/r/build/Release/lightspeed_native.node',
      ]);
      delete process.env.LIGHTSPEED_NATIVE_PATH;
      expect(addonCandidates('/r', 'win32')).toEqual([
        join('/r', 'build', 'Release', 'lightspeed_native.node'),
        join('/r', 'build', 'win32-x64', 'lightspeed_native.node'),
      ]);
    } finally {
      if (saved === undefined) delete process.env.LIGHTSPEED_NATIVE_PATH;
      else process.env.LIGHTSPEED_NATIVE_PATH = saved;
    }
  });

  it('says load-failed for a file that is not a loadable addon', () => {
    const bogus = join(scratch, 'bogus.node');
    writeFileSync(bogus, 'not an ELF or PE file');
    const result = loadNativeFrom([bogus], { platform: 'linux' });
    expect(result).toMatchObject({ ok: false, reason: 'load-failed' });
    expect(!result.ok && result.detail.startsWith(bogus)).toBe(true);
  });

  it('says unsupported-platform on macOS without looking for a build', () => {
    expect(loadNativeFrom([], { platform: 'darwin' })).toEqual({
      ok: false,
      reason: 'unsupported-platform',
      detail: MACOS_DETAIL,
    });
  });

  it('loads the build here, once', () => {
    const first = loadNative();
    expect(first.ok).toBe(true);
    expect(first.ok && first.path).toMatch(/lightspeed_native\.node$/);
    expect(first.ok && first.native.platform).toBe(process.platform === 'win32' ? 'win32' : 'linux');
    expect(loadNative()).toBe(first);
  });
});
