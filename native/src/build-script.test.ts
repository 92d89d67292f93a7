// The install-time build never fails `npm install`: it records why the addon is unavailable and exits 0.
// Run against scratch copies of the package (under build/, ignored by git) so the real build stays.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { NO_PCAP_DETAIL, pcapApi } from './flow-watcher.js';
import { loadNativeFrom } from './load.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const scratch = join(packageRoot, 'build', 'test-scratch');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scratchPackage(name: string, source: string): string {
  const root = join(scratch, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'src'), { recursive: true });
  cpSync(join(packageRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(root, 'package.json'));
  writeFileSync(
    join(root, 'binding.gyp'),
    JSON.stringify({ targets: [{ target_name: 'lightspeed_native', sources: ['src/addon.cc'] }] }),
  );
  writeFileSync(join(root, 'src', 'addon.cc'), source);
  return root;
}

function build(root: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LIGHTSPEED_NATIVE_STRICT: '', ...env },
    timeout: 120_000,
  });
}

const unavailable = (root: string) =>
  JSON.parse(readFileSync(join(root, 'build', 'unavailable.json'), 'utf8')) as {
    reason: string;
    detail: string;
  };

describe('the install-time build', () => {
  it('exits 0 and records no-compiler when there is no C++ compiler', () => {
    const root = scratchPackage('no-compiler', 'int x;');
    const run = build(root, { CXX: 'ls-no-such-compiler' });
    expect(run.status).toBe(0);
    expect(unavailable(root)).toMatchObject({ reason: 'no-compiler', detail: expect.any(String) as string });
    expect(run.stderr).toMatch(/addon not built \(no-compiler\)/);
  });

  it('exits 0 and records build-failed when the sources do not compile', () => {
    const root = scratchPackage('broken', 'this is not C++;\n');
    const run = build(root);
    expect(run.status).toBe(0);
    const recorded = unavailable(root);
    expect(recorded.reason).toBe('build-failed');
    expect(recorded.detail).toMatch(/node-gyp rebuild exited/);
    expect(existsSync(join(root, 'build', 'Release', 'lightspeed_native.node'))).toBe(false);
  });

  it('fails only when asked to (LIGHTSPEED_NATIVE_STRICT=1)', () => {
    const root = scratchPackage('strict', 'int x;');
    expect(build(root, { CXX: 'ls-no-such-compiler', LIGHTSPEED_NATIVE_STRICT: '1' }).status).toBe(1);
  });
});

describe('a build without libpcap', () => {
  it('still has the divert socket, and the flow watcher says how to get libpcap', () => {
    const root = join(scratch, 'no-pcap');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    for (const entry of ['binding.gyp', 'package.json', 'scripts']) {
      cpSync(join(packageRoot, entry), join(root, entry), { recursive: true });
    }
    cpSync(join(packageRoot, 'src'), join(root, 'src'), {
      recursive: true,
      filter: (path) => !path.endsWith('.ts') && !path.endsWith('.mjs'),
    });
    const run = build(root, { LIGHTSPEED_NATIVE_NO_PCAP: '1' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/addon built \(libpcap: no\)/);
    expect(JSON.parse(readFileSync(join(root, 'build', 'build-info.json'), 'utf8'))).toMatchObject({
      built: true,
      pcap: false,
      pcapReason: NO_PCAP_DETAIL,
    });
    const loaded = loadNativeFrom([join(root, 'build', 'Release', 'lightspeed_native.node')], {
      platform: 'linux',
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.native.hasPcap).toBe(false);
    expect(loaded.native.FlowWatcher).toBeUndefined();
    expect(typeof loaded.native.DivertSocket).toBe('function');
    expect(() => pcapApi(loaded.native)).toThrow(NO_PCAP_DETAIL);
  });
});
