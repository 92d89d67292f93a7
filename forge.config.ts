/**
 * Electron Forge: `npm start` (electron-forge start) builds main, preload and renderer with Vite and runs
 * the desktop app; `electron-forge make` packages it and runs the makers. Installers with elevation
 * options come from electron-builder (electron-builder.yml), fed with Forge's packaged app.
 */
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerRpm } from '@electron-forge/maker-rpm';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { MakerZIP } from '@electron-forge/maker-zip';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

import {
  ENTRIES,
  NATIVE_PACKAGES,
  RENDERER_NAME,
  REPO_ROOT,
  VITE_CONFIGS,
} from './electron/src/main/build/bundle-paths.js';
import { copyNativePackages } from './electron/src/main/build/native-modules.js';

const LINUX_PACKAGE = {
  name: 'lightspeed',
  productName: 'LightSpeed',
  genericName: 'Game network booster',
  description: 'Routes game traffic through nearby relays with forward error correction.',
  icon: 'resources/icons/png/512x512.png',
  categories: ['Network', 'Game'] as ('Network' | 'Game')[],
  homepage: 'https://lightspeed.invalid/',
};

const config: ForgeConfig = {
  packagerConfig: {
    name: 'LightSpeed',
    executableName: 'lightspeed',
    appBundleId: 'dev.lightspeed.desktop',
    // Forge picks icon.ico / icon.icns / icon.png per platform.
    icon: 'resources/icons/icon',
    asar: true,
    // The main process reads tray and window icons from process.resourcesPath/{tray,icons}.
    extraResource: ['resources/tray', 'resources/icons'],
  },
  rebuildConfig: {},
  makers: [
    new MakerSquirrel({ name: 'LightSpeed', setupIcon: 'resources/icons/icon.ico' }),
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDeb({ options: { ...LINUX_PACKAGE, section: 'net' } }),
    new MakerRpm({ options: { ...LINUX_PACKAGE, license: 'MIT' } }),
  ],
  plugins: [
    new VitePlugin({
      build: [
        { entry: ENTRIES.main, config: VITE_CONFIGS.main, target: 'main' },
        { entry: ENTRIES.preload, config: VITE_CONFIGS.preload, target: 'preload' },
        { entry: ENTRIES.retrainWorker, config: VITE_CONFIGS.worker, target: 'main' },
      ],
      renderer: [{ name: RENDERER_NAME, config: VITE_CONFIGS.renderer }],
    }),
    // Natives such as @matrixai/quic's prebuilt .node are moved out of the asar so they can be loaded.
    new AutoUnpackNativesPlugin({}),
    // Flipped at package time, before signing: the packaged binary cannot be turned into a plain Node.
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
      // The UI is served from app://, so file:// needs no extra privileges.
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    }),
  ],
  hooks: {
    // The Vite plugin packages only .vite/; the native packages the main bundle requires must come along.
    packageAfterCopy: async (_config, buildPath) => {
      await copyNativePackages(NATIVE_PACKAGES, REPO_ROOT, buildPath);
    },
  },
};

export default config;
