import { catalogData } from './catalog-data.js';
import { CatalogSchema, type GameEntry } from './game-schema.js';

/** Validates catalog data; returns the issues as readable strings (empty when valid). */
export function validateCatalog(data: unknown): string[] {
  const result = CatalogSchema.safeParse(data);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

// Validated once at load: a bad entry is a programming error, caught by the catalog test.
const problems = validateCatalog(catalogData);
if (problems.length > 0) throw new Error(`invalid game catalog:\n  ${problems.join('\n  ')}`);

/** Every catalogued game, as plain serialisable data. */
export const catalog: readonly GameEntry[] = catalogData;

/** Looks a game up by its catalog id (e.g. 'cs2'). */
export function findGame(id: string, games: readonly GameEntry[] = catalog): GameEntry | undefined {
  return games.find((g) => g.id === id);
}

/** Looks a game up by its wire game id (GameId in @lightspeed/shared). */
export function findGameByWireId(
  wireGameId: number,
  games: readonly GameEntry[] = catalog,
): GameEntry | undefined {
  return games.find((g) => g.wireGameId === wireGameId);
}
