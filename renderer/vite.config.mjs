// @ts-check
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative asset URLs: the dashboard serves the UI below a per-run token path (`/<token>/`) and Electron
// loads it from its own protocol, so nothing may assume the site root.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: a single chunk keeps the CSP simple and the page fast on loopback.
    chunkSizeWarningLimit: 1024,
  },
});
