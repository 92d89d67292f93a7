import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { GameId } from '@lightspeed/shared';
import { describe, expect, it } from 'vitest';

import { catalog, findGame, findGameByWireId, validateCatalog } from './catalog.js';
import type { GameEntry } from './game-schema.js';

const resources = fileURLToPath(new URL('../../../resources/', import.meta.url));

function entry(overrides: Partial<GameEntry>): GameEntry {
  return { ...structuredClone(findGame('cs2')!), ...overrides };
}

describe('catalog', () => {
  it('passes its own schema', () => {
    expect(validateCatalog(catalog)).toEqual([]);
  });

  it('has every game the product promises, with kebab-case ids', () => {
    expect(catalog.map((g) => g.id)).toEqual(
      expect.arrayContaining([
        'fortnite',
        'cs2',
        'dota2',
        'rust',
        'valorant',
        'apex-legends',
        'overwatch2',
        'league-of-legends',
        'pubg',
        'rocket-league',
        'dead-by-daylight',
        'roblox',
      ]),
    );
  });

  it('uses the deployed wire game ids and no invented ones', () => {
    const expected: Record<string, number | null> = {
      fortnite: GameId.FORTNITE,
      cs2: GameId.CS2,
      dota2: GameId.DOTA2,
      rust: GameId.RUST,
      valorant: GameId.VALORANT,
      'apex-legends': GameId.APEX_LEGENDS,
      overwatch2: GameId.OVERWATCH2,
      'league-of-legends': GameId.LEAGUE_OF_LEGENDS,
      pubg: GameId.PUBG,
      'rocket-league': null,
      'dead-by-daylight': null,
      roblox: null,
    };
    for (const [id, wire] of Object.entries(expected)) expect(findGame(id)?.wireGameId, id).toBe(wire);
    const deployed = new Set<number>(Object.values(GameId));
    for (const g of catalog) if (g.wireGameId !== null) expect(deployed.has(g.wireGameId), g.id).toBe(true);
    expect(findGameByWireId(GameId.CS2)?.id).toBe('cs2');
    expect(findGameByWireId(GameId.UNKNOWN)).toBeUndefined();
  });

  it('carries the well-known store ids', () => {
    const steam = Object.fromEntries(
      catalog.filter((g) => g.store.steamAppId).map((g) => [g.id, g.store.steamAppId]),
    );
    expect(steam).toEqual({
      cs2: 730,
      dota2: 570,
      rust: 252490,
      'apex-legends': 1172470,
      overwatch2: 2357570,
      pubg: 578080,
      'rocket-league': 252950,
      'dead-by-daylight': 381210,
    });
    expect(findGame('fortnite')?.store).toMatchObject({ epicAppName: 'Fortnite', epicNamespace: 'fn' });
    expect(findGame('valorant')?.store.riotProductId).toBe('valorant');
    expect(findGame('league-of-legends')?.store.riotProductId).toBe('league_of_legends');
  });

  it('allows redirect mode only where the player can type a server address', () => {
    const redirect = catalog.filter((g) => g.redirect.possible).map((g) => g.id);
    expect(redirect.sort()).toEqual(['cs2', 'dota2', 'rust']);
    expect(findGame('rust')?.redirect.command).toBe('client.connect {address}');
    expect(findGame('fortnite')?.redirect.possible).toBe(false);
    expect(findGame('valorant')?.redirect.possible).toBe(false);
  });

  it('is plain data that survives a JSON round trip (IPC)', () => {
    expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
    expect(structuredClone(catalog)).toEqual(catalog);
  });

  it('has an SVG icon file for every game', async () => {
    for (const g of catalog) {
      const svg = await readFile(resources + g.icon, 'utf8');
      expect(svg, g.id).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 64 64"/);
      expect(svg.trimEnd().endsWith('</svg>'), g.id).toBe(true);
    }
  });

  it('rejects invalid entries with the key that is wrong', () => {
    const cs2 = findGame('cs2')!;
    const cases: [unknown, RegExp][] = [
      [[cs2, cs2], /0?1\.id: duplicate id 'cs2'/],
      [[entry({ id: 'Counter Strike', icon: 'games/cs2.svg' })], /0\.id: id must be kebab-case/],
      [[entry({ udpPorts: [{ from: 27050, to: 27015 }] })], /udpPorts\.0: port range must have from <= to/],
      [[entry({ udpPorts: [{ from: 0, to: 10 }] })], /udpPorts\.0\.from/],
      [
        [entry({ redirect: { possible: false, command: 'connect {address}' } })],
        /redirect: redirect\.command/,
      ],
      [[entry({ redirect: { possible: true, command: 'connect' } })], /redirect\.command/],
      [[entry({ icon: 'games/dota2.svg' })], /0\.icon: icon must be games\/cs2\.svg/],
      [[entry({ packetSize: { min: 1400, max: 40 } })], /packetSize/],
      [[entry({ antiCheat: ['kernel-magic' as never] })], /antiCheat\.0/],
      [[{ ...cs2, extra: 1 }], /extra/],
      [[entry({ store: { steamAppId: -5 } })], /store\.steamAppId/],
      [[entry({ wireGameId: 7 }), { ...findGame('overwatch2')! }], /duplicate wire id 7/],
    ];
    for (const [data, pattern] of cases) expect(validateCatalog(data).join('\n')).toMatch(pattern);
  });
});
