import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { detectInstalledGames } from '../detect-games.js';
import { detectRelative as detect, fx } from './test-fixture-helpers.js';

describe('detectInstalledGames: Windows', () => {
  const root = fx('windows');

  it('finds Steam (two drives), Epic, Riot, Battle.net and Roblox installs', async () => {
    const r = await detect(root, { platform: 'win32', env: { USERPROFILE: 'C:\\Users\\player' } });
    expect(r.installed).toEqual([
      {
        gameId: 'cs2',
        name: 'Counter-Strike 2',
        installPath: 'C/Program Files (x86)/Steam/steamapps/common/Counter-Strike Global Offensive',
        source: 'steam',
        libraryPath: 'C/Program Files (x86)/Steam',
      },
      {
        gameId: 'fortnite',
        name: 'Fortnite',
        installPath: 'C/Program Files/Epic Games/Fortnite',
        source: 'epic',
      },
      {
        gameId: 'league-of-legends',
        name: 'League of Legends',
        installPath: 'C/Riot Games/League of Legends',
        source: 'riot',
      },
      {
        gameId: 'overwatch2',
        name: 'Overwatch 2',
        installPath: 'C/Program Files (x86)/Overwatch',
        source: 'battlenet',
      },
      {
        gameId: 'pubg',
        name: 'PUBG: Battlegrounds',
        installPath: 'D/SteamLibrary/steamapps/common/PUBG',
        source: 'steam',
        libraryPath: 'D/SteamLibrary',
      },
      {
        gameId: 'roblox',
        name: 'Roblox',
        installPath: 'C/Users/player/AppData/Local/Roblox',
        source: 'roblox',
      },
      {
        gameId: 'rocket-league',
        name: 'Rocket League',
        installPath: 'D/SteamLibrary/steamapps/common/rocketleague',
        source: 'steam',
        libraryPath: 'D/SteamLibrary',
      },
      { gameId: 'valorant', name: 'Valorant', installPath: 'C/Riot Games/VALORANT/live', source: 'riot' },
    ]);
    const manifests = 'C/ProgramData/Epic/EpicGamesLauncher/Data/Manifests';
    expect(r.skipped).toEqual([
      {
        source: 'epic',
        path: `${manifests}/0F1E2D3C4B5A69788796A5B4C3D2E1F0.item`,
        reason: `install directory ${path.join(root, 'E/Epic Games/rocketleague')} is missing`,
        gameId: 'rocket-league',
      },
      {
        source: 'epic',
        path: `${manifests}/99999999999999999999999999999999.item`,
        reason: expect.stringMatching(/^malformed JSON: /) as string,
      },
    ]);
  });

  it('reads the platform directories from the environment (names are case-insensitive)', async () => {
    const c = path.join(root, 'C');
    const r = await detectInstalledGames({
      platform: 'win32',
      env: {
        userprofile: path.join(c, 'Users/player'),
        ProgramData: path.join(c, 'ProgramData'),
        'PROGRAMFILES(X86)': path.join(c, 'Program Files (x86)'),
        LocalAppData: path.join(c, 'Users/player/AppData/Local'),
      },
    });
    // Without a root, D:\SteamLibrary and C:\... paths inside the files cannot be mapped onto this host.
    expect(r.installed.map((g) => `${g.gameId}/${g.source}`)).toEqual([
      'cs2/steam',
      'overwatch2/battlenet',
      'roblox/roblox',
    ]);
    expect(r.skipped.map((s) => s.reason)).toContain(
      'library folder listed in libraryfolders.vdf is missing',
    );
  });

  it('asks an injected registry reader for the Steam path', async () => {
    const asked: string[] = [];
    const r = await detect(root, {
      platform: 'win32',
      env: { USERPROFILE: 'C:\\Users\\nobody', 'ProgramFiles(x86)': 'C:\\Nope', ProgramFiles: 'C:\\Nope' },
      readRegistry: (key, value) => {
        asked.push(`${key}:${value}`);
        return Promise.resolve('d:/SteamLibrary');
      },
    });
    expect(asked).toEqual(['HKCU\\Software\\Valve\\Steam:SteamPath']);
    expect(r.installed.filter((g) => g.source === 'steam').map((g) => g.libraryPath)).toEqual([
      'D/SteamLibrary',
      'D/SteamLibrary',
    ]);
  });

  it('skips a truncated launcher list, broken Riot files and incomplete Epic installs', async () => {
    const broken = fx('broken-windows');
    const r = await detect(broken, { platform: 'win32', env: { USERPROFILE: 'C:\\Users\\player' } });
    expect(r.installed).toEqual([]);
    const riot = 'C/ProgramData/Riot Games';
    const manifests = 'C/ProgramData/Epic/EpicGamesLauncher/Data/Manifests';
    expect(r.skipped).toEqual([
      {
        source: 'epic',
        path: 'C/ProgramData/Epic/UnrealEngineLauncher/LauncherInstalled.dat',
        reason: expect.stringMatching(/^malformed JSON: /) as string,
      },
      {
        source: 'epic',
        path: `${manifests}/00000000000000000000000000000001.item`,
        reason: 'manifest has no InstallLocation',
      },
      {
        source: 'epic',
        path: `${manifests}/00000000000000000000000000000002.item`,
        reason: 'install is incomplete',
        gameId: 'fortnite',
      },
      {
        source: 'riot',
        path: `${riot}/RiotClientInstalls.json`,
        reason: expect.stringMatching(/^malformed JSON/) as string,
      },
      {
        source: 'riot',
        path: `${riot}/Metadata/valorant.live/valorant.live.product_settings.yaml`,
        reason: 'product settings have no product_install_full_path',
        gameId: 'valorant',
      },
      {
        source: 'riot',
        path: `${riot}/Metadata/valorant.pbe/valorant.pbe.product_settings.yaml`,
        reason: `install directory ${path.join(broken, 'C/Riot Games/VALORANT/pbe')} is missing`,
        gameId: 'valorant',
      },
      {
        source: 'riot',
        path: `${riot}/Metadata/league_of_legends.live/league_of_legends.live.product_settings.yaml`,
        reason: 'file not found',
        gameId: 'league-of-legends',
      },
      {
        source: 'battlenet',
        path: 'C/ProgramData/Battle.net/Agent/product.db',
        reason: 'malformed product.db (not a protobuf message)',
      },
      {
        source: 'roblox',
        path: 'C/Users/player/AppData/Local/Roblox',
        reason: 'no Versions/*/RobloxPlayerBeta.exe inside',
        gameId: 'roblox',
      },
    ]);
  });
});

describe('detectInstalledGames: macOS', () => {
  it('finds Steam, Epic, Riot (/Users/Shared) and Roblox (/Applications) installs', async () => {
    const root = fx('macos');
    const r = await detect(root, { platform: 'darwin', env: { HOME: path.join(root, 'Users/player') } });
    const steam = 'Users/player/Library/Application Support/Steam';
    expect(r.installed).toEqual([
      {
        gameId: 'dota2',
        name: 'Dota 2',
        installPath: `${steam}/steamapps/common/dota 2 beta`,
        source: 'steam',
        libraryPath: steam,
      },
      {
        gameId: 'fortnite',
        name: 'Fortnite',
        installPath: 'Users/Shared/Epic Games/Fortnite',
        source: 'epic',
      },
      {
        gameId: 'league-of-legends',
        name: 'League of Legends',
        installPath: 'Applications/League of Legends.app',
        source: 'riot',
      },
      { gameId: 'roblox', name: 'Roblox', installPath: 'Applications/Roblox.app', source: 'roblox' },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('uses injected Riot roots instead of /Users/Shared', async () => {
    const root = fx('macos');
    const r = await detectInstalledGames({
      platform: 'darwin',
      root,
      env: { HOME: path.join(root, 'Users/nobody') },
      riotRoots: [path.join(root, 'Users/Shared/Riot Games')],
    });
    expect(r.installed.map((g) => g.gameId)).toEqual(['league-of-legends', 'roblox']);
    const none = await detectInstalledGames({ platform: 'darwin', root, env: { HOME: root }, riotRoots: [] });
    expect(none.installed.map((g) => g.gameId)).toEqual(['roblox']);
  });
});
