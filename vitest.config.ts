import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// Tests run against sources: workspace packages resolve to their src/, not to a possibly stale dist/.
// (Child processes that tests spawn run the built CLIs; `npm test` builds first.)
const alias = [
  { find: /^@lightspeed\/shared$/, replacement: here('./shared/src/index.ts') },
  { find: /^@lightspeed\/shared\/node$/, replacement: here('./shared/src/node/index.ts') },
  { find: /^@lightspeed\/games\/catalog$/, replacement: here('./games/src/catalog/index.ts') },
  { find: /^@lightspeed\/games$/, replacement: here('./games/src/index.ts') },
  { find: /^@lightspeed\/proxy-server$/, replacement: here('./proxy-server/src/index.ts') },
  {
    find: /^@lightspeed\/proxy-server\/quic$/,
    replacement: here('./proxy-server/src/control/quic-support.ts'),
  },
  { find: /^@lightspeed\/native$/, replacement: here('./native/src/index.ts') },
  { find: /^@lightspeed\/electron\/engine$/, replacement: here('./electron/src/engine/index.ts') },
];

// Tests reach only loopback: the app's default relay registry (a public URL) is off unless a test points
// LIGHTSPEED_REGISTRY_URL at its own server. The CLI keeps no session history in the user's config dir
// unless a test gives LIGHTSPEED_SESSIONS_FILE a file of its own. Child processes the tests start inherit this.
const env = { LIGHTSPEED_REGISTRY_URL: 'off', LIGHTSPEED_SESSIONS_FILE: '' };

const project = (name: string, include: string[], extra: Record<string, unknown> = {}) => ({
  resolve: { alias },
  test: { name, include, testTimeout: 60_000, hookTimeout: 30_000, env, ...extra },
});

export default defineConfig({
  test: {
    projects: [
      project('shared', ['shared/src/**/*.test.ts']),
      project('games', ['games/src/**/*.test.ts']),
      project('proxy-server', ['proxy-server/src/**/*.test.ts']),
      // Real sockets, nftables and network namespaces: the tests that need root say so and skip without it.
      project('native', ['native/src/**/*.test.ts']),
      project('electron', ['electron/src/**/*.test.ts']),
      // Component tests: the views in a DOM, driven by the fake backend through the real contract.
      project('renderer', ['renderer/src/**/*.test.{ts,tsx}'], { environment: 'happy-dom' }),
      // Real Chromium (Debian's `chromium`) against a real `lightspeed dashboard --demo` child process.
      project('e2e', ['electron/src/**/*.e2e.ts'], {
        testTimeout: 120_000,
        hookTimeout: 60_000,
        fileParallelism: false,
      }),
    ],
  },
});
