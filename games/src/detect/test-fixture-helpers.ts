/** Test helper: detection with paths relative to the fixture root, for readable expectations. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { detectInstalledGames } from '../detect-games.js';
import type { DetectOptions, InstalledGame, SkippedItem } from './types.js';

export const fixtures = fileURLToPath(new URL('../../test-fixtures/', import.meta.url));

/** Absolute path of a fixture tree. */
export const fx = (name: string): string => path.join(fixtures, name);

/** Installed games and skips under `root`, with paths relative to it. */
export async function detectRelative(root: string, options: DetectOptions) {
  const { installed, skipped } = await detectInstalledGames({ root, ...options });
  const rel = (p: string): string => path.relative(root, p);
  return {
    installed: installed.map((g: InstalledGame) => ({
      ...g,
      installPath: rel(g.installPath),
      ...(g.libraryPath !== undefined ? { libraryPath: rel(g.libraryPath) } : {}),
    })),
    skipped: skipped.map((s: SkippedItem) => ({ ...s, path: rel(s.path) })),
  };
}
