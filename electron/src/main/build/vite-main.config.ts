/**
 * Vite config for the main process bundle (merged by Forge's Vite plugin over its defaults). CommonJS
 * with a `.cjs` name because the repository's package.json says `"type": "module"`.
 */
import { defineConfig } from 'vite';

import { ENTRIES, isNativeExternal, WORKSPACE_ALIASES } from './bundle-paths.js';

export default defineConfig({
  resolve: { alias: WORKSPACE_ALIASES },
  build: {
    lib: { entry: ENTRIES.main, formats: ['cjs'], fileName: () => '[name].cjs' },
    rollupOptions: { external: isNativeExternal },
    sourcemap: true,
  },
});
