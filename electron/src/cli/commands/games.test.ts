import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { DetectResult } from '@lightspeed/games';
import { describe, expect, it } from 'vitest';

import { UsageError } from '../command.js';
import games, { runGames, treeRootOf } from './games.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = path.join(repo, 'games/test-fixtures');
const cli = path.join(repo, 'electron/bin/lightspeed.js');

function lightspeed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function captured(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runGames(argv, (t) => {
    out += t;
  });
  return { code, out };
}

const windowsArgs = [
  '--platform',
  'win32',
  '--root',
  path.join(fixtures, 'windows'),
  '--home',
  path.join(fixtures, 'windows/C/Users/player'),
];

describe('lightspeed games (in process)', () => {
  it('prints one JSON document with exactly the installed catalogued games', async () => {
    const { code, out } = await captured(['--json', ...windowsArgs]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as DetectResult;
    expect(Object.keys(doc)).toEqual(['installed', 'running', 'skipped']);
    expect(doc.installed.map((g) => `${g.gameId}/${g.source}`)).toEqual([
      'cs2/steam',
      'fortnite/epic',
      'league-of-legends/riot',
      'overwatch2/battlenet',
      'pubg/steam',
      'roblox/roblox',
      'rocket-league/steam',
      'valorant/riot',
    ]);
    expect(doc.installed.find((g) => g.gameId === 'pubg')?.installPath).toBe(
      path.join(fixtures, 'windows/D/SteamLibrary/steamapps/common/PUBG'),
    );
    expect(doc.running).toEqual([]);
    expect(doc.skipped.map((s) => s.source)).toEqual(['epic', 'epic', 'processes']);
  });

  it('prints a readable listing with install paths and sources', async () => {
    const home = path.join(fixtures, 'linux/home/player');
    const { code, out } = await captured([
      '--platform',
      'linux',
      '--root',
      path.join(fixtures, 'linux'),
      '--home',
      home,
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Installed \(3\):\n {2}Counter-Strike 2 {2}steam {6}\//);
    expect(out).toContain(
      `Rust              steam      ${path.join(fixtures, 'linux/mnt/games/SteamLibrary/steamapps/common/Rust')}`,
    );
    expect(out).toContain('Rocket League     heroic');
    expect(out).toMatch(/\nRunning \(\d+\):\n/);
    expect(out).toMatch(/\nSkipped \(4\):\n {2}steam {6}\S.*libraryfolders\.vdf is missing\n/);
  });

  it('infers the machine-tree root from --home only where the home sits in one', () => {
    expect(treeRootOf('/fx/linux/home/player', 'linux')).toBe('/fx/linux');
    expect(treeRootOf('/fx/macos/Users/player', 'darwin')).toBe('/fx/macos');
    expect(treeRootOf('/fx/windows/C/Users/player', 'win32')).toBe('/fx/windows');
    expect(treeRootOf('/home/alice', 'linux')).toBeUndefined();
    expect(treeRootOf('/Users/alice', 'darwin')).toBeUndefined();
    expect(treeRootOf('/root', 'linux')).toBeUndefined();
    expect(treeRootOf('/fx/windows/Users/player', 'win32')).toBeUndefined();
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--platform', 'amiga'], /--platform must be win32, darwin or linux, not 'amiga'/],
    [['--home'], /--home/],
    [['--home', ''], /--home needs a directory/],
    [['extra'], /positional/i],
  ])('rejects %j as bad usage', async (argv, message) => {
    await expect(games.run(argv)).rejects.toThrow(UsageError);
    await expect(games.run(argv)).rejects.toThrow(message);
  });
});

describe('lightspeed games (child process, built CLI)', () => {
  it('lists a fixture machine with Steam libraries and an Epic install, surviving malformed manifests', async () => {
    const { code, stdout, stderr } = await lightspeed(['games', '--json', ...windowsArgs]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DetectResult;
    expect(doc.installed.map((g) => g.gameId)).toEqual([
      'cs2',
      'fortnite',
      'league-of-legends',
      'overwatch2',
      'pubg',
      'roblox',
      'rocket-league',
      'valorant',
    ]);
    expect(doc.skipped.find((s) => s.path.endsWith('99999999999999999999999999999999.item'))?.reason).toMatch(
      /^malformed JSON/,
    );
  });

  it('lists the Linux fixture home (native Steam, two libraries, Heroic)', async () => {
    const root = path.join(fixtures, 'linux');
    const home = path.join(root, 'home/player');
    const { code, stdout } = await lightspeed([
      'games',
      '--json',
      '--platform',
      'linux',
      '--root',
      root,
      '--home',
      home,
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DetectResult;
    expect(doc.installed.map((g) => `${g.gameId}/${g.source}/${path.relative(root, g.installPath)}`)).toEqual(
      [
        'cs2/steam/home/player/.local/share/Steam/steamapps/common/Counter-Strike Global Offensive',
        'rocket-league/heroic/home/player/Games/Heroic/rocketleague',
        'rust/steam/mnt/games/SteamLibrary/steamapps/common/Rust',
      ],
    );
    expect(Array.isArray(doc.running)).toBe(true);
  });

  it('needs only --home for a fixture machine tree (the root is the tree around the home)', async () => {
    const root = path.join(fixtures, 'linux-flatpak');
    const { code, stdout } = await lightspeed(['games', '--json', '--home', path.join(root, 'home/player')]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as DetectResult;
    expect(doc.installed.map((g) => `${g.gameId}/${g.source}`)).toEqual([
      'dead-by-daylight/steam',
      'pubg/steam',
      'rocket-league/heroic',
    ]);
    expect(doc.installed[0]?.installPath).toBe(
      path.join(root, 'home/player/ExtraLibrary/steamapps/common/Dead by Daylight'),
    );
  });

  it('exits 2 with one line and a pointer to --help on bad usage', async () => {
    const { code, stderr } = await lightspeed(['games', '--platform', 'beos']);
    expect(code).toBe(2);
    expect(stderr).toContain("--platform must be win32, darwin or linux, not 'beos'");
    expect(stderr).toContain("see 'lightspeed games --help'");
    expect(stderr).not.toContain('Usage:');
  });
});
