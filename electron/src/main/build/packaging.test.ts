/**
 * Packaging cannot run here (no Electron binary), so its configuration is checked as far as it can be:
 * Forge's own loader reads forge.config.ts, its Vite plugin bundles main and preload for real, the
 * config type-checks, and electron-builder's own loader and JSON schema accept electron-builder.yml.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';

import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import {
  API_GLOBAL,
  channelName,
  ipcSchema,
  listChannels,
  listenerKey,
  type LightspeedApi,
} from '@lightspeed/shared';
import { afterAll, describe, expect, it } from 'vitest';

import {
  ENTRIES,
  MAIN_BUNDLE,
  NATIVE_PACKAGES,
  PRELOAD_BUNDLE,
  REPO_ROOT,
  RETRAIN_WORKER_BUNDLE,
  RENDERER_NAME,
  VITE_CONFIGS,
} from './bundle-paths.js';
import { copyNativePackages, dependencyClosure } from './native-modules.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ls-packaging-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runNode(script: string): string {
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

interface ForgeSummary {
  plugins: { name: string; config: unknown }[];
  makers: { name: string; platforms: string[] | null; config: Record<string, unknown> }[];
  packagerConfig: Record<string, unknown>;
  ignores: Record<string, boolean>;
  hooks: string[];
}

// Forge's own loader (jiti for TypeScript), in a child process because loading initialises the plugins.
const FORGE_SUMMARY = `
const load = require('@electron-forge/core/dist/util/forge-config.js').default;
load(process.cwd()).then(async (c) => {
  await c.pluginInterface.triggerMutatingHook('resolveForgeConfig', c);
  const ignore = c.packagerConfig.ignore;
  const probe = ['/.vite/build/main.cjs', '/.vite/renderer/main_window/index.html', '/electron/src/main/main.ts', '/node_modules/zod/index.js'];
  console.log(JSON.stringify({
    plugins: c.plugins.map((p) => ({ name: p.name, config: p.config ?? p.fusesConfig })),
    makers: c.makers.map((m) => ({ name: m.name, platforms: m.platformsToMakeOn ?? null, config: m.configOrConfigFetcher })),
    packagerConfig: { ...c.packagerConfig, ignore: typeof ignore },
    ignores: Object.fromEntries(probe.map((f) => [f, ignore(f)])),
    hooks: Object.keys(c.hooks),
  }));
  process.exit(0);
}, (err) => { console.error(err); process.exit(1); });
`;

describe('forge.config.ts', () => {
  const summary = JSON.parse(runNode(FORGE_SUMMARY)) as ForgeSummary;
  const plugin = (name: string): unknown => summary.plugins.find((p) => p.name === name)?.config;

  it('bundles main, preload and the renderer with the Vite plugin', () => {
    expect(plugin('vite')).toEqual({
      build: [
        { entry: ENTRIES.main, config: VITE_CONFIGS.main, target: 'main' },
        { entry: ENTRIES.preload, config: VITE_CONFIGS.preload, target: 'preload' },
        { entry: ENTRIES.retrainWorker, config: VITE_CONFIGS.worker, target: 'main' },
      ],
      renderer: [{ name: RENDERER_NAME, config: VITE_CONFIGS.renderer }],
    });
    for (const file of [...Object.values(ENTRIES), ...Object.values(VITE_CONFIGS)]) {
      expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
    }
    // The packaged app holds the Vite output only (native packages are added by the hook below).
    expect(summary.ignores).toEqual({
      '/.vite/build/main.cjs': false,
      '/.vite/renderer/main_window/index.html': false,
      '/electron/src/main/main.ts': true,
      '/node_modules/zod/index.js': true,
    });
    expect(summary.hooks).toContain('packageAfterCopy');
  });

  it('makes Squirrel, zip, deb and rpm packages', () => {
    expect(summary.makers.map((m) => m.name)).toEqual(['squirrel', 'zip', 'deb', 'rpm']);
    const byName = Object.fromEntries(summary.makers.map((m) => [m.name, m]));
    expect(byName.squirrel?.config).toMatchObject({
      name: 'LightSpeed',
      setupIcon: 'resources/icons/icon.ico',
    });
    expect(byName.zip?.platforms).toEqual(['darwin', 'linux', 'win32']);
    expect(byName.deb?.config).toMatchObject({
      options: { name: 'lightspeed', icon: 'resources/icons/png/512x512.png' },
    });
    // packagerConfig.icon 'resources/icons/icon' takes .ico on Windows, .icns on macOS, .png on Linux.
    for (const icon of [
      'resources/icons/icon.ico',
      'resources/icons/icon.icns',
      'resources/icons/icon.png',
      'resources/icons/png/512x512.png',
    ]) {
      expect(existsSync(path.join(REPO_ROOT, icon)), icon).toBe(true);
    }
  });

  it('unpacks native modules and packs everything else into an asar', () => {
    expect(summary.plugins.map((p) => p.name)).toContain('auto-unpack-natives');
    expect(summary.packagerConfig).toMatchObject({ asar: { unpack: '**/{.**,**}/**/*.node' } });
    expect(summary.packagerConfig.extraResource).toEqual(['resources/tray', 'resources/icons']);
  });

  it('flips the fuses: no RunAsNode, no NODE_OPTIONS, no inspector, asar only and integrity-checked', () => {
    // FuseV1Options: 0 RunAsNode, 1 EnableCookieEncryption, 2 EnableNodeOptionsEnvironmentVariable,
    // 3 EnableNodeCliInspectArguments, 4 EnableEmbeddedAsarIntegrityValidation, 5 OnlyLoadAppFromAsar,
    // 6 LoadBrowserProcessSpecificV8Snapshot, 7 GrantFileProtocolExtraPrivileges.
    expect(plugin('fuses')).toEqual({
      version: '1',
      '0': false,
      '1': true,
      '2': false,
      '3': false,
      '4': true,
      '5': true,
      '6': false,
      '7': false,
    });
  });

  it('type-checks', () => {
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'electron/tsconfig.packaging.json'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  });

  it('is what `npm start` runs, with the main entry where the Vite plugin writes it', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
      overrides?: Record<string, string>;
    };
    // First a check that says how to open the same UI where Electron's binary could not be installed.
    expect(pkg.scripts.start).toBe('node electron/scripts/electron-binary.mjs check && electron-forge start');
    expect(pkg.main).toBe(MAIN_BUNDLE);
    // Forge 7 depends on a git URL for node-gyp; the override keeps installs on the registry.
    expect(pkg.overrides?.['@electron/node-gyp']).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('Vite bundles (as `electron-forge package` builds them)', () => {
  it('builds a CommonJS preload that requires only electron, and a main bundle with only runtime externals', async () => {
    const require = createRequire(import.meta.url);
    const ViteConfigGenerator = (
      require('@electron-forge/plugin-vite/dist/ViteConfig.js') as typeof import('@electron-forge/plugin-vite/dist/ViteConfig.js')
    ).default;
    const { build } = await import('vite');
    const generator = new ViteConfigGenerator(
      {
        build: [
          { entry: ENTRIES.main, config: VITE_CONFIGS.main, target: 'main' },
          { entry: ENTRIES.preload, config: VITE_CONFIGS.preload, target: 'preload' },
          { entry: ENTRIES.retrainWorker, config: VITE_CONFIGS.worker, target: 'main' },
        ],
        renderer: [{ name: RENDERER_NAME, config: VITE_CONFIGS.renderer }],
      },
      REPO_ROOT,
      true,
    );
    const outDir = path.join(tmp, 'build');
    for (const config of await generator.getBuildConfigs()) {
      await build({
        ...config,
        configFile: false,
        logLevel: 'silent',
        build: { ...config.build, outDir, watch: null, minify: false },
      });
    }
    expect(
      readdirSync(outDir)
        .filter((f) => f.endsWith('.cjs'))
        .sort(),
    ).toEqual(
      [
        path.basename(MAIN_BUNDLE),
        path.basename(PRELOAD_BUNDLE),
        path.basename(RETRAIN_WORKER_BUNDLE),
      ].sort(),
    );

    const requires = (code: string): string[] => [
      ...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? '')),
    ];
    const preload = readFileSync(path.join(outDir, path.basename(PRELOAD_BUNDLE)), 'utf8');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(requires(preload)).toEqual(['electron']);
    // Run it the way a sandboxed renderer does: a bare script whose `require` knows only 'electron'.
    const exposed = new Map<string, unknown>();
    const sent: [string, unknown][] = [];
    const electronStub = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (channel: string, arg: unknown) => Promise.resolve({ ok: true, value: { channel, arg } }),
        send: (channel: string, arg: unknown) => sent.push([channel, arg]),
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const sandboxRequire = (id: string): unknown => {
      if (id === 'electron') return electronStub;
      throw new Error(`sandboxed preload cannot require ${id}`);
    };
    const module = { exports: {} };
    // Web globals a renderer has (the bundle's zod uses TextDecoder/TextEncoder).
    const web = {
      TextDecoder,
      TextEncoder,
      URL,
      URLSearchParams,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      console,
    };
    runInNewContext(preload, { ...web, require: sandboxRequire, module, exports: module.exports });
    expect([...exposed.keys()]).toEqual([API_GLOBAL]);
    const api = exposed.get(API_GLOBAL) as LightspeedApi;
    for (const { group, key, channel } of listChannels(ipcSchema)) {
      const member = (api as unknown as Record<string, Record<string, unknown>>)[group]?.[
        channel.kind === 'notify' ? listenerKey(key) : key
      ];
      expect(typeof member, `${group}.${key}`).toBe('function');
    }
    expect(await api.settings.get()).toEqual({ channel: channelName('settings', 'get'), arg: undefined });

    const main = readFileSync(path.join(outDir, path.basename(MAIN_BUNDLE)), 'utf8');
    expect(main).not.toMatch(/^\s*(import|export)\s/m);
    const builtins = new Set((await import('node:module')).builtinModules);
    const external = requires(main).filter(
      (id) =>
        id !== 'electron' &&
        !builtins.has(id.replace(/^node:/, '')) &&
        !NATIVE_PACKAGES.some((n) => id === n || id.startsWith(`${n}/`)),
    );
    expect(external).toEqual([]);
    // Forge's define turned the renderer constants into literals.
    expect(main).not.toContain('MAIN_WINDOW_VITE_NAME');
    expect(main).toContain('"main_window"');
    // The main bundle looks for the retrain worker beside itself, and the worker bundle retrains for real.
    expect(main).toContain('./retrain-worker.cjs');
    const worker = readFileSync(path.join(outDir, path.basename(RETRAIN_WORKER_BUNDLE)), 'utf8');
    expect(worker).not.toMatch(/^\s*(import|export)\s/m);
    const trained = await new Promise<unknown>((resolve, reject) => {
      const w = new Worker(path.join(outDir, path.basename(RETRAIN_WORKER_BUNDLE)), {
        workerData: { observations: [], simStride: 64, version: 2 },
      });
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`the worker exited (${code}) without a model`)));
    });
    expect(trained).toMatchObject({ version: 2 });
  }, 180_000);
});

describe('renderer build for the window', () => {
  it('extends renderer/vite.config.ts and writes where the main process loads from', async () => {
    const require = createRequire(import.meta.url);
    const ViteConfigGenerator = (
      require('@electron-forge/plugin-vite/dist/ViteConfig.js') as typeof import('@electron-forge/plugin-vite/dist/ViteConfig.js')
    ).default;
    const generator = new ViteConfigGenerator(
      { build: [], renderer: [{ name: RENDERER_NAME, config: VITE_CONFIGS.renderer }] },
      REPO_ROOT,
      true,
    );
    const [config] = await generator.getRendererConfig();
    expect(config?.root).toBe(path.join(REPO_ROOT, 'renderer'));
    expect(config?.base).toBe('./');
    expect(config?.build?.outDir).toBe(path.join(REPO_ROOT, '.vite/renderer', RENDERER_NAME));
    const plugins = (config?.plugins ?? [])
      .flat()
      .map((p) => (p && typeof p === 'object' && 'name' in p ? p.name : ''));
    // Forge's plugin that hands the dev server URL to main, plus the renderer's own (React).
    expect(plugins).toContain('@electron-forge/plugin-vite:expose-renderer');
    expect(plugins.some((name) => name.startsWith('vite:react'))).toBe(true);
  });
});

describe('native packages for the packaged app', () => {
  it('resolve with their dependencies and are copied into the build', async () => {
    const closure = [...dependencyClosure(['@matrixai/quic'], REPO_ROOT).values()];
    expect(closure).toContain('@matrixai/quic');
    expect(closure).toContain('@matrixai/logger');
    expect(() => dependencyClosure(['@matrixai/quic', 'surely-not-installed-pkg'], REPO_ROOT)).not.toThrow();
    const app = path.join(tmp, 'app');
    const copied = await copyNativePackages(['@matrixai/quic'], REPO_ROOT, app);
    expect(copied).toContain(path.join('node_modules', '@matrixai', 'quic'));
    expect(existsSync(path.join(app, 'node_modules/@matrixai/quic/package.json'))).toBe(true);
    if (process.platform === 'linux' && process.arch === 'x64') {
      const prebuilt = path.join(app, 'node_modules/@matrixai/quic-linux-x64');
      expect(readdirSync(prebuilt).some((f) => f.endsWith('.node'))).toBe(true);
    }
  });
});

describe('electron-builder.yml', () => {
  const debug = { isEnabled: false, add: () => {} } as unknown as Parameters<typeof validateConfiguration>[1];

  it('passes electron-builder’s own schema, with NSIS per user, AppImage and deb', async () => {
    const config = await getConfig(REPO_ROOT, null, null);
    await validateConfiguration(config, debug);
    expect(config.appId).toBe('dev.lightspeed.desktop');
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.win?.requestedExecutionLevel).toBe('asInvoker');
    expect(config.nsis).toMatchObject({
      oneClick: false,
      perMachine: false,
      allowElevation: true,
      include: 'resources/installer/installer.nsh',
    });
    expect(config.linux?.target).toEqual([
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ]);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    for (const file of [config.nsis?.include, config.win?.icon, config.nsis?.installerIcon]) {
      expect(existsSync(path.join(REPO_ROOT, String(file))), String(file)).toBe(true);
    }
  });

  it('never elevates the whole app: no installer variant runs it as administrator (capture has a helper)', () => {
    expect(existsSync(path.join(REPO_ROOT, 'resources/installer/electron-builder.capture.yml'))).toBe(false);
    const text = readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(/requireAdministrator|highestAvailable/);
  });

  it('rejects what electron-builder would reject (the check can fail)', async () => {
    const config = await getConfig(REPO_ROOT, null, null);
    await expect(
      validateConfiguration({ ...config, nsis: { ...config.nsis, perMachine: 'yes' } } as never, debug),
    ).rejects.toThrow(/perMachine/);
  });
});
