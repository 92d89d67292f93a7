import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { findGame } from '../catalog/catalog.js';
import type { GameEntry } from '../catalog/game-schema.js';
import { detectGames, detectRunningGames } from '../detect-games.js';
import { parsePsOutput, parseTasklistCsv, readProcProcesses } from './process-list.js';
import { findRunningGames, matchProcess } from './running.js';

const fixtures = fileURLToPath(new URL('../../test-fixtures/processes/', import.meta.url));

describe('process list parsers', () => {
  it('parses tasklist /fo csv /nh output', async () => {
    const list = parseTasklistCsv(await readFile(path.join(fixtures, 'tasklist.csv'), 'utf8'));
    expect(list).toHaveLength(12);
    expect(list[0]).toEqual({ pid: 0, name: 'System Idle Process' });
    expect(list.find((p) => p.pid === 11004)).toEqual({ pid: 11004, name: 'League of Legends.exe' });
    expect(parseTasklistCsv('INFO: No tasks are running which match the specified criteria.\r\n')).toEqual(
      [],
    );
    expect(
      parseTasklistCsv('"a ""quoted"" name.exe","12","Console","1","1 K"\n"broken\n"x","notanumber"'),
    ).toEqual([{ pid: 12, name: 'a "quoted" name.exe' }]);
  });

  it('parses ps -axo pid=,comm= output with spaces in paths', async () => {
    const list = parsePsOutput(await readFile(path.join(fixtures, 'ps-macos.txt'), 'utf8'));
    expect(list).toHaveLength(9);
    expect(list.find((p) => p.pid === 1533)).toEqual({
      pid: 1533,
      name: 'dota2',
      cmdline: [
        '/Users/player/Library/Application Support/Steam/steamapps/common/dota 2 beta/game/bin/osx64/dota2',
      ],
    });
  });

  it('reads a procfs tree (fixture), skipping non-pid entries and processes without cmdline', async () => {
    const list = await readProcProcesses(path.join(fixtures, 'proc'));
    expect(list.map((p) => p.pid).sort((a, b) => a - b)).toEqual([
      1, 2, 4120, 4377, 5210, 5333, 5400, 5500, 6001,
    ]);
    expect(list.find((p) => p.pid === 2)).toEqual({ pid: 2, name: 'kthreadd' });
    expect(list.find((p) => p.pid === 1)).toEqual({
      pid: 1,
      name: 'systemd',
      cmdline: ['/sbin/init', 'splash'],
    });
    expect(await readProcProcesses(path.join(fixtures, 'no-such-proc'))).toEqual([]);
  });
});

describe('findRunningGames', () => {
  const catalogGames = [
    'fortnite',
    'cs2',
    'valorant',
    'league-of-legends',
    'dota2',
    'roblox',
    'rust',
    'dead-by-daylight',
  ];
  const games = catalogGames.map((id) => findGame(id)!);

  it('flags Windows games from a tasklist fixture', async () => {
    const list = parseTasklistCsv(await readFile(path.join(fixtures, 'tasklist.csv'), 'utf8'));
    expect(
      findRunningGames(list, games, 'win32').map((g) => `${g.gameId}:${g.pid}:${g.processName}`),
    ).toEqual([
      'cs2:9120:cs2.exe',
      'fortnite:7788:FortniteClient-Win64-Shipping.exe',
      'league-of-legends:11004:League of Legends.exe',
      'valorant:9412:VALORANT-Win64-Shipping.exe',
    ]);
  });

  it('flags macOS games from a ps fixture (client launchers are not games)', async () => {
    const list = parsePsOutput(await readFile(path.join(fixtures, 'ps-macos.txt'), 'utf8'));
    expect(findRunningGames(list, games, 'darwin').map((g) => `${g.gameId}:${g.pid}`)).toEqual([
      'dota2:1533',
      'league-of-legends:1702',
      'roblox:1800',
    ]);
  });

  it('flags native and Proton games on Linux, handling 15-byte comm truncation', async () => {
    const list = await readProcProcesses(path.join(fixtures, 'proc'));
    expect(
      findRunningGames(list, games, 'linux').map((g) => `${g.gameId}:${g.pid}:${g.processName}`),
    ).toEqual([
      'cs2:4377:cs2',
      'dead-by-daylight:5333:DeadByDaylight-Win64-Shipping.exe',
      'fortnite:5400:FortniteClient-Win64-Shipping.exe',
      'rust:5210:RustClient.exe',
    ]);
  });

  it('is case-insensitive on Windows only', () => {
    const cs2 = findGame('cs2')!;
    expect(matchProcess({ pid: 1, name: 'CS2.EXE' }, cs2.processNames.windows, 'win32')).toBe('cs2.exe');
    expect(matchProcess({ pid: 1, name: 'CS2' }, cs2.processNames.linux, 'linux')).toBeUndefined();
    expect(matchProcess({ pid: 1, name: 'cs2x' }, cs2.processNames.linux, 'linux')).toBeUndefined();
  });
});

describe('detectRunningGames', () => {
  const temps: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });

  it('uses an injected provider and reports a failing one as skipped', async () => {
    const fixed = await detectRunningGames({
      platform: 'win32',
      listProcesses: () => Promise.resolve([{ pid: 42, name: 'r5apex_dx12.exe' }]),
    });
    expect(fixed).toEqual({
      running: [{ gameId: 'apex-legends', name: 'Apex Legends', pid: 42, processName: 'r5apex_dx12.exe' }],
      skipped: [],
    });
    const failing = await detectRunningGames({ listProcesses: () => Promise.reject(new Error('EPERM')) });
    expect(failing).toEqual({
      running: [],
      skipped: [{ source: 'processes', path: '', reason: 'process list failed: EPERM' }],
    });
  });

  it('does not pretend to list processes of another platform', async () => {
    const other = process.platform === 'win32' ? 'linux' : 'win32';
    const r = await detectRunningGames({ platform: other });
    expect(r.running).toEqual([]);
    expect(r.skipped[0]?.reason).toBe(`no process list for ${other} on a ${process.platform} host`);
  });

  it('finds a real running process through the real /proc reader', async () => {
    // A symlink gives the child its own comm (the kernel takes it from the exec'd file name).
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-running-'));
    temps.push(dir);
    const exe = path.join(dir, 'lsprobe-game');
    await symlink(process.execPath, exe);
    const child = spawn(exe, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const probe: GameEntry = {
      ...structuredClone(findGame('cs2')!),
      id: 'probe-game',
      name: 'Probe Game',
      wireGameId: null,
      processNames: { windows: ['lsprobe-game.exe'], macos: [], linux: ['lsprobe-game'] },
      icon: 'games/probe-game.svg',
    };
    const r = await detectGames({ platform: 'linux', catalog: [probe], env: {} });
    expect(r.running).toEqual([
      { gameId: 'probe-game', name: 'Probe Game', pid: child.pid, processName: 'lsprobe-game' },
    ]);

    const all = await readProcProcesses();
    // argv0 is, by definition, the first element of this process's own /proc/<pid>/cmdline.
    expect(all.find((p) => p.pid === process.pid)?.cmdline?.[0]).toBe(process.argv0);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const after = await detectRunningGames({ platform: 'linux', catalog: [probe] });
    expect(after.running).toEqual([]);
  });
});
