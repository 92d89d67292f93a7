/**
 * The desktop window's renderer build: the renderer's own Vite config (renderer/vite.config.*, shared
 * with the browser dashboard), with its root and output moved to where Forge's main process looks for
 * them (`.vite/renderer/main_window/` at the repository root).
 */
import path from 'node:path';

import { defineConfig, loadConfigFromFile, mergeConfig, type UserConfig } from 'vite';

import { RENDERER_NAME, rendererViteConfig, REPO_ROOT, WORKSPACE_ALIASES } from './bundle-paths.js';

export default defineConfig(async (env) => {
  const file = rendererViteConfig();
  const loaded = await loadConfigFromFile(env, file);
  if (loaded === null) throw new Error(`could not load ${file}`);
  const own: UserConfig = loaded.config;
  return mergeConfig(own, {
    root: path.join(REPO_ROOT, 'renderer'),
    base: './',
    resolve: { alias: WORKSPACE_ALIASES },
    build: { outDir: path.join(REPO_ROOT, '.vite/renderer', RENDERER_NAME), emptyOutDir: true },
  } satisfies UserConfig);
});
