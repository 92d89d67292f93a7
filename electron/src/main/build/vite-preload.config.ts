/**
 * Vite config for the preload bundle. A sandboxed preload cannot be an ES module, so Forge's plugin
 * bundles it as one CommonJS file that requires nothing but `electron`; `.cjs` keeps Node from reading it
 * as ESM under the repository's `"type": "module"`.
 */
import { defineConfig } from 'vite';

import { WORKSPACE_ALIASES } from './bundle-paths.js';

export default defineConfig({
  resolve: { alias: WORKSPACE_ALIASES },
  build: {
    rollupOptions: { output: { entryFileNames: '[name].cjs', chunkFileNames: '[name].cjs' } },
  },
});
