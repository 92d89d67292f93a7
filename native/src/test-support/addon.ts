/** The built addon's path for child processes; fails the test (never skips) when the build is missing. */
import { fileURLToPath } from 'node:url';

import { loadNative } from '../load.js';

export function builtAddonPath(): string {
  const loaded = loadNative();
  if (!loaded.ok) throw new Error(`the native addon is not available (${loaded.reason}): ${loaded.detail}`);
  return loaded.path;
}

export const testSupport = (file: string): string => fileURLToPath(new URL(`./${file}`, import.meta.url));
