/**
 * The Library as the UI shows it: detected games, games the user added servers for, and extra entries
 * (the dashboard's demo game), merged into one list. Pure.
 */
import type { CatalogEntryView, GameServer, GameView, GamesView } from '@lightspeed/shared';

import type { CatalogGame, DetectionResult } from './ports.js';

const SOURCE_LABEL: Record<string, string> = {
  steam: 'Steam',
  epic: 'Epic Games',
  heroic: 'Heroic',
  legendary: 'Legendary',
  riot: 'Riot Client',
  battlenet: 'Battle.net',
  roblox: 'Roblox',
};

export interface LibraryInput {
  catalog: readonly CatalogGame[];
  detection: DetectionResult | null;
  gameServers: readonly GameServer[];
  extraGames: readonly GameView[];
  scannedAtMs: number | null;
}

/** Merges detection, manual servers and extra games into the Library view (extras first, then running, then by name). */
export function buildGamesView(input: LibraryInput): GamesView {
  const byId = new Map<string, GameView>();
  for (const extra of input.extraGames) byId.set(extra.id, { ...extra, servers: [...extra.servers] });

  const running = new Set((input.detection?.running ?? []).map((r) => r.gameId));
  for (const found of input.detection?.installed ?? []) {
    if (byId.has(found.gameId)) continue;
    byId.set(found.gameId, {
      id: found.gameId,
      name: found.name,
      source: 'detected',
      installed: true,
      running: running.has(found.gameId),
      servers: [],
      detail: SOURCE_LABEL[found.source] ?? found.source,
    });
  }
  for (const proc of input.detection?.running ?? []) {
    const known = byId.get(proc.gameId);
    if (known) known.running = true;
    else
      byId.set(proc.gameId, {
        id: proc.gameId,
        name: proc.name,
        source: 'detected',
        installed: false,
        running: true,
        servers: [],
        detail: 'Running',
      });
  }
  for (const entry of input.gameServers) {
    let game = byId.get(entry.gameId);
    if (!game) {
      const fromCatalog = input.catalog.find((c) => c.id === entry.gameId);
      game = {
        id: entry.gameId,
        name: fromCatalog?.name ?? entry.name,
        source: 'manual',
        installed: false,
        running: false,
        servers: [],
        detail: 'Added by hand',
      };
      byId.set(entry.gameId, game);
    }
    if (!game.servers.includes(entry.server)) game.servers.push(entry.server);
  }

  const rank = (g: GameView): number => (g.source === 'demo' ? 0 : g.running ? 1 : 2);
  const games = [...byId.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const skipped = [...new Set((input.detection?.skipped ?? []).map((s) => `${s.source}: ${s.reason}`))].slice(
    0,
    20,
  );
  return { games, scannedAtMs: input.scannedAtMs, skipped };
}

/** The catalog as the UI lists it. */
export function catalogView(catalog: readonly CatalogGame[]): CatalogEntryView[] {
  return catalog.map((c) => ({ id: c.id, name: c.name }));
}

/** An id for a game the user names by hand: kebab-case of the name, prefixed so it never collides with the catalog. */
export function manualGameId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `manual-${slug || 'game'}`;
}
