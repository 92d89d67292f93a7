/**
 * Vite config for the learned selector's retrain worker (a worker thread the main process starts after a
 * session, so retraining never stalls it): one CommonJS file beside `main.cjs`, where `retrain.ts` looks
 * for it.
 */
import { defineConfig } from 'vite';

import { ENTRIES, isNativeExternal, WORKSPACE_ALIASES } from './bundle-paths.js';

export default defineConfig({
  resolve: { alias: WORKSPACE_ALIASES },
  build: {
    lib: { entry: ENTRIES.retrainWorker, formats: ['cjs'], fileName: () => '[name].cjs' },
    rollupOptions: { external: isNativeExternal },
    sourcemap: true,
  },
});
