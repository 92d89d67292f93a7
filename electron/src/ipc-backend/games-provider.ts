/** The real game catalog and detection from `@lightspeed/games`, as the backend's `GamesProvider`. */
import { catalog, detectGames, type DetectOptions } from '@lightspeed/games';

import type { GamesProvider } from './ports.js';

/** Detects the catalogued games installed or running on this machine (options: for tests and fixtures). */
export function createGamesProvider(options: DetectOptions = {}): GamesProvider {
  return {
    catalog,
    detect: () => detectGames(options),
  };
}
