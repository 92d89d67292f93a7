import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { detectInstalledGames } from '../detect-games.js';
import { detectRelative as detect, fixtures, fx } from './test-fixture-helpers.js';

describe('detectInstalledGames: Linux', () => {
  it('finds native Steam games in every library, Heroic installs, and skips what is broken', async () => {
    const root = fx('linux');
    const r = await detect(root, { platform: 'linux', env: { HOME: path.join(root, 'home/player') } });
    expect(r.installed).toEqual([
      {
        gameId: 'cs2',
        name: 'Counter-Strike 2',
        installPath: 'home/player/.local/share/Steam/steamapps/common/Counter-Strike Global Offensive',
        source: 'steam',
        libraryPath: 'home/player/.local/share/Steam',
      },
      {
        gameId: 'rocket-league',
        name: 'Rocket League',
        installPath: 'home/player/Games/Heroic/rocketleague',
        source: 'heroic',
      },
      {
        gameId: 'rust',
        name: 'Rust',
        installPath: 'mnt/games/SteamLibrary/steamapps/common/Rust',
        source: 'steam',
        libraryPath: 'mnt/games/SteamLibrary',
      },
    ]);
    expect(r.skipped).toEqual([
      {
        source: 'steam',
        path: 'media/player/usb-disk/SteamLibrary',
        reason: 'library folder listed in libraryfolders.vdf is missing',
      },
      {
        source: 'steam',
        path: 'home/player/.local/share/Steam/steamapps/appmanifest_570.acf',
        reason: expect.stringMatching(
          /^malformed app manifest: unterminated quoted string at \d+:\d+$/,
        ) as string,
        gameId: 'dota2',
      },
      {
        source: 'steam',
        path: 'mnt/games/SteamLibrary/steamapps/appmanifest_1172470.acf',
        reason: `install directory ${path.join(root, 'mnt/games/SteamLibrary/steamapps/common/Apex Legends')} is missing`,
        gameId: 'apex-legends',
      },
      {
        source: 'legendary',
        path: 'home/player/.config/legendary/installed.json',
        reason: expect.stringMatching(/^malformed JSON: /) as string,
      },
    ]);
  });

  it('finds Flatpak Steam (pre-2021 libraryfolders format) and Flatpak Heroic', async () => {
    const root = fx('linux-flatpak');
    const r = await detect(root, { platform: 'linux', env: { HOME: path.join(root, 'home/player') } });
    const steam = 'home/player/.var/app/com.valvesoftware.Steam/.local/share/Steam';
    expect(r.installed).toEqual([
      {
        gameId: 'dead-by-daylight',
        name: 'Dead by Daylight',
        installPath: 'home/player/ExtraLibrary/steamapps/common/Dead by Daylight',
        source: 'steam',
        libraryPath: 'home/player/ExtraLibrary',
      },
      {
        gameId: 'pubg',
        name: 'PUBG: Battlegrounds',
        installPath: `${steam}/steamapps/common/PUBG`,
        source: 'steam',
        libraryPath: steam,
      },
      {
        gameId: 'rocket-league',
        name: 'Rocket League',
        installPath: 'home/player/Games/Heroic/rocketleague',
        source: 'heroic',
      },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('honours XDG_CONFIG_HOME for Legendary and Heroic', async () => {
    const root = fx('linux');
    const r = await detect(root, {
      platform: 'linux',
      env: { HOME: path.join(root, 'nowhere'), XDG_CONFIG_HOME: path.join(root, 'home/player/.config') },
    });
    expect(r.installed.map((g) => `${g.gameId}/${g.source}`)).toEqual(['rocket-league/heroic']);
  });

  it('skips every malformed file with a reason and still finds the good manifest', async () => {
    const root = fx('broken-linux');
    const r = await detect(root, { platform: 'linux', env: { HOME: path.join(root, 'home/player') } });
    expect(r.installed.map((g) => g.gameId)).toEqual(['cs2']);
    const manifests = 'home/player/.local/share/Steam/steamapps';
    expect(r.skipped).toEqual([
      {
        source: 'steam',
        path: `${manifests}/libraryfolders.vdf`,
        reason: expect.stringMatching(/^malformed VDF: /) as string,
      },
      {
        source: 'steam',
        path: `${manifests}/appmanifest_570.acf`,
        reason: 'app manifest has no AppState.installdir',
        gameId: 'dota2',
      },
      {
        source: 'steam',
        path: `${manifests}/appmanifest_252490.acf`,
        reason: 'app manifest has no AppState.installdir',
        gameId: 'rust',
      },
      {
        source: 'steam',
        path: `${manifests}/appmanifest_1172470.acf`,
        reason: expect.stringMatching(/^malformed app manifest: unexpected '\}' at 1:1$/) as string,
        gameId: 'apex-legends',
      },
      {
        source: 'steam',
        path: `${manifests}/appmanifest_578080.acf`,
        reason: 'app manifest is for app 252950, not 578080',
        gameId: 'pubg',
      },
      {
        source: 'legendary',
        path: 'home/player/.config/legendary/installed.json',
        reason: 'installed.json is not an object',
      },
      {
        source: 'heroic',
        path: 'home/player/.config/heroic/legendaryConfig/legendary/installed.json',
        reason: "entry 'Sugar' has no install_path",
      },
    ]);
  });

  it('finds nothing and throws nothing for an empty or missing home', async () => {
    for (const home of [fx('does-not-exist'), fixtures]) {
      const r = await detectInstalledGames({ platform: 'linux', env: { HOME: home } });
      expect(r).toEqual({ installed: [], skipped: [] });
    }
    expect(await detectInstalledGames({ platform: 'linux', env: {} })).toEqual({
      installed: [],
      skipped: [],
    });
  });
});

describe('detectInstalledGames: files that change on disk', () => {
  const temps: string[] = [];
  afterAll(async () => {
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });

  it("falls back to an older client's config/libraryfolders.vdf when steamapps' one is malformed", async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ls-games-'));
    temps.push(root);
    await cp(fx('linux'), root, { recursive: true, verbatimSymlinks: true });
    const home = path.join(root, 'home/player');
    const steam = path.join(home, '.local/share/Steam');
    const current = path.join(steam, 'steamapps/libraryfolders.vdf');
    const good = await readFile(current, 'utf8');
    await mkdir(path.join(steam, 'config'), { recursive: true });
    await writeFile(path.join(steam, 'config/libraryfolders.vdf'), good);
    await writeFile(current, '"libraryfolders"\n{\n\t"0"\n');
    const r = await detectInstalledGames({ platform: 'linux', root, env: { HOME: home } });
    expect(r.installed.map((g) => g.gameId)).toContain('rust'); // from /mnt/games/SteamLibrary
    expect(r.skipped.find((s) => s.path === current)?.reason).toMatch(/^malformed VDF: /);
  });

  it('picks up a repaired manifest and a deleted install directory', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ls-games-'));
    temps.push(root);
    await cp(fx('linux'), root, { recursive: true, verbatimSymlinks: true });
    const home = path.join(root, 'home/player');
    const steamapps = path.join(home, '.local/share/Steam/steamapps');
    await writeFile(
      path.join(steamapps, 'appmanifest_570.acf'),
      '"AppState"\n{\n\t"appid"\t\t"570"\n\t"installdir"\t\t"dota 2 beta"\n}\n',
    );
    await rm(path.join(steamapps, 'common/Counter-Strike Global Offensive'), { recursive: true });
    const r = await detectInstalledGames({ platform: 'linux', root, env: { HOME: home } });
    expect(r.installed.map((g) => g.gameId)).toEqual(['dota2', 'rocket-league', 'rust']);
    expect(r.skipped.find((s) => s.gameId === 'cs2')?.reason).toMatch(
      /Counter-Strike Global Offensive is missing$/,
    );
  });
});
