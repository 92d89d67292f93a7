/**
 * Where things are for the desktop bundles: entry points for Forge's Vite plugin, workspace aliases (so
 * bundles build from sources, like the tests), and the modules left outside the bundle because they
 * load native code. Imported by forge.config.ts and the Vite configs beside this file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (forge.config.ts lives there). */
export const REPO_ROOT: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const fromRoot = (rel: string): string => path.join(REPO_ROOT, rel);

/** Entry points, relative to the repository root as Forge expects. */
export const ENTRIES = {
  main: 'electron/src/main/main.ts',
  preload: 'electron/src/preload/preload.ts',
  /** The learned selector's retrain worker thread (`engine/selector/retrain.ts` starts it). */
  retrainWorker: 'electron/src/engine/selector/retrain-worker.ts',
} as const;

/** Vite configs, relative to the repository root. */
export const VITE_CONFIGS = {
  main: 'electron/src/main/build/vite-main.config.ts',
  preload: 'electron/src/main/build/vite-preload.config.ts',
  worker: 'electron/src/main/build/vite-worker.config.ts',
  renderer: 'electron/src/main/build/vite-renderer.config.ts',
} as const;

/** Names Vite itself looks for, in its order. */
const VITE_CONFIG_NAMES = [
  'vite.config.js',
  'vite.config.mjs',
  'vite.config.ts',
  'vite.config.cjs',
  'vite.config.mts',
  'vite.config.cts',
];

/** The renderer's own Vite config (owned by renderer/; the desktop build extends it). */
export function rendererViteConfig(): string {
  const found = VITE_CONFIG_NAMES.map((name) => fromRoot(`renderer/${name}`)).find((file) =>
    existsSync(file),
  );
  if (found === undefined)
    throw new Error(`no Vite config in ${fromRoot('renderer')} (looked for ${VITE_CONFIG_NAMES.join(', ')})`);
  return found;
}

/** Forge's name for the window's renderer: defines MAIN_WINDOW_VITE_DEV_SERVER_URL / MAIN_WINDOW_VITE_NAME. */
export const RENDERER_NAME = 'main_window';

/** Bundle output, as Forge's Vite plugin lays it out. */
export const BUILD_DIR = '.vite/build';
export const MAIN_BUNDLE = `${BUILD_DIR}/main.cjs`;
export const PRELOAD_BUNDLE = `${BUILD_DIR}/preload.cjs`;
export const RETRAIN_WORKER_BUNDLE = `${BUILD_DIR}/retrain-worker.cjs`;

/** `@lightspeed/*` resolve to sources, the same mapping as vitest.config.ts. */
export const WORKSPACE_ALIASES = [
  { find: /^@lightspeed\/shared$/, replacement: fromRoot('shared/src/index.ts') },
  { find: /^@lightspeed\/shared\/node$/, replacement: fromRoot('shared/src/node/index.ts') },
  { find: /^@lightspeed\/games$/, replacement: fromRoot('games/src/index.ts') },
  { find: /^@lightspeed\/proxy-server$/, replacement: fromRoot('proxy-server/src/index.ts') },
  { find: /^@lightspeed\/electron\/engine$/, replacement: fromRoot('electron/src/engine/index.ts') },
];

/**
 * Packages the main bundle leaves to `require` at run time: they load a platform-specific `.node` file
 * that a bundler cannot inline. Forge copies them (with their dependencies) into the packaged app, where
 * the auto-unpack-natives plugin moves the `.node` files out of the asar.
 */
export const NATIVE_PACKAGES = ['@matrixai/quic', '@lightspeed/native'] as const;

/** Optional native speed-ups of `ws`; absent is fine, so they must not be bundled either. */
export const OPTIONAL_NATIVE_PACKAGES = ['bufferutil', 'utf-8-validate'] as const;

/** Rollup `external` test for the main bundle. */
export function isNativeExternal(id: string): boolean {
  return [...NATIVE_PACKAGES, ...OPTIONAL_NATIVE_PACKAGES].some(
    (name) => id === name || id.startsWith(`${name}/`),
  );
}
