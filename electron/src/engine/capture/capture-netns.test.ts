/**
 * Capture mode end to end, in network namespaces (needs root: skipped, saying so, otherwise).
 *
 *   game ns 198.18.1.2 ── router ns 198.18.1.1 | 198.18.2.1 (our relay) ── server ns 198.18.2.2:7777
 *
 * The game sends straight to the server's address. With `lightspeed capture --pid` on, the server sees
 * the relay's address and the game gets replies from the server's address; a second process on the same
 * host and path is untouched; stop (and SIGKILL + --cleanup) leave no table and no ip rule behind.
 */
import { type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { canUseNetns } from '@lightspeed/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CLI,
  GAME_HOST,
  PEERS,
  RELAY_ADDR,
  RELAY_HOST,
  SERVER_HOST,
  SERVER_PORT,
  startCaptureLab,
  type CaptureLab,
} from '../../test-support/capture-lab.js';
import { lines } from '../../test-support/child-lines.js';

const SERVER = `${SERVER_HOST}:${SERVER_PORT}`;

interface Window {
  sent: number;
  replies: number;
  from: Record<string, number>;
  seen: Record<string, number>;
}

class Game {
  readonly next: ReturnType<typeof lines>;
  constructor(readonly child: ChildProcess) {
    this.next = lines(child);
  }
  get pid(): number {
    return this.child.pid!;
  }
  async ready(): Promise<void> {
    await this.next((l) => l.includes('"ready"'));
  }
  /** Traffic since the last report. */
  async report(): Promise<Window> {
    this.child.stdin!.write('report\n');
    return JSON.parse(await this.next((l) => l.startsWith('{"sent"'))) as Window;
  }
  /** Traffic over the next `ms`, from a clean start. */
  async trafficOver(ms: number): Promise<Window> {
    await this.report();
    await new Promise((r) => setTimeout(r, ms));
    return this.report();
  }
}

const waitExit = (c: ChildProcess): Promise<number | null> =>
  new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

describe.skipIf(!canUseNetns())('capture mode in network namespaces (root)', () => {
  let net: CaptureLab;
  let game = '';
  let player: Game;
  let bystander: Game;

  beforeAll(async () => {
    net = await startCaptureLab();
    game = net.game;
    const spawnGame = (intervalMs: number): Game =>
      new Game(
        net.lab.spawn(game, process.execPath, [
          path.join(PEERS, 'game.mjs'),
          SERVER_HOST,
          String(SERVER_PORT),
          String(intervalMs),
        ]),
      );
    player = spawnGame(10);
    bystander = spawnGame(20);
    await player.ready();
    await bystander.ready();
  }, 60_000);

  afterAll(async () => {
    await net?.close();
  });

  const capture = (...args: string[]): ChildProcess =>
    net.lab.spawn(game, process.execPath, [
      CLI,
      'capture',
      '--pid',
      String(player.pid),
      '--relay',
      RELAY_ADDR,
      '--control',
      'off',
      '--json',
      ...args,
    ]);

  /** Starts capture and waits until its first server is found and the relay answers. */
  async function startCapture(
    ...args: string[]
  ): Promise<{ child: ChildProcess; next: ReturnType<typeof lines> }> {
    const child = capture(...args);
    const next = lines(child);
    await next((l) => l.includes('"state":"active"'));
    await next((l) => l.includes('"phase":"capturing"') && l.includes(SERVER));
    return { child, next };
  }

  async function leftovers(): Promise<{ table: boolean; rule: boolean }> {
    const tables = await net.lab.exec(game, 'nft', ['list', 'tables']);
    const rules = await net.lab.ip(game, '-4', 'rule', 'show');
    return { table: /\blightspeed\b/.test(tables), rule: rules.includes('0x4c53') };
  }

  it('goes direct before capture: the server sees the game host', async () => {
    const w = await player.trafficOver(500);
    expect(w.replies).toBeGreaterThan(0);
    expect(Object.keys(w.seen)).toEqual([GAME_HOST]);
    expect(await leftovers()).toEqual({ table: false, rule: false });
  });

  it('carries only the captured process through the relay, and removes everything on stop', async () => {
    const { child, next } = await startCapture();
    const status = JSON.parse(await next((l) => l.includes('"phase":"capturing"'))) as {
      capture: { processes: { pid: number }[]; servers: { address: string }[] };
    };
    expect(status.capture.processes.map((p) => p.pid)).toContain(player.pid);
    expect(status.capture.servers.map((s) => s.address)).toEqual([SERVER]);

    const [mine, theirs] = await Promise.all([player.trafficOver(1500), bystander.trafficOver(1500)]);
    // The server saw the relay's upstream address; the game heard the server's own address.
    expect(Object.keys(mine.seen)).toEqual([RELAY_HOST]);
    expect(Object.keys(mine.from)).toEqual([SERVER]);
    expect(mine.replies).toBeGreaterThanOrEqual(Math.floor(mine.sent * 0.9));
    // The other process on the same host and path was left alone.
    expect(Object.keys(theirs.seen)).toEqual([GAME_HOST]);
    expect(theirs.replies).toBeGreaterThan(0);
    expect(await leftovers()).toEqual({ table: true, rule: true });

    child.kill('SIGINT');
    expect(await waitExit(child)).toBe(0);
    expect(await leftovers()).toEqual({ table: false, rule: false });
    const after = await player.trafficOver(500);
    expect(Object.keys(after.seen)).toEqual([GAME_HOST]);
  });

  it('picks up a socket the game opens mid-capture (matchmaking, then the match) within a scan', async () => {
    const { child, next } = await startCapture();
    player.child.stdin!.write('newsocket\n');
    const opened = JSON.parse(await player.next((l) => l.includes('"newsocket"'))) as { port: number };
    // The new port joins the captured set (status event), and its traffic goes through the relay.
    await next((l) => l.includes('"type":"capture"') && l.includes(`"ports":[${opened.port}]`), 5000);
    const w = await player.trafficOver(1000);
    expect(Object.keys(w.seen)).toEqual([RELAY_HOST]);
    expect(w.replies).toBeGreaterThanOrEqual(Math.floor(w.sent * 0.9));
    child.kill('SIGINT');
    expect(await waitExit(child)).toBe(0);
  });

  it('after SIGKILL the rules stay; --cleanup removes them and the direct path is back', async () => {
    const { child } = await startCapture();
    child.kill('SIGKILL');
    await waitExit(child);
    expect(await leftovers()).toEqual({ table: true, rule: true });
    const out = await net.lab.exec(game, process.execPath, [CLI, 'capture', '--cleanup']);
    expect(out).toMatch(/removed: table inet lightspeed, 1 ip rule/);
    expect(await leftovers()).toEqual({ table: false, rule: false });
    const after = await player.trafficOver(500);
    expect(Object.keys(after.seen)).toEqual([GAME_HOST]);
    expect(await net.lab.exec(game, process.execPath, [CLI, 'capture', '--cleanup'])).toMatch(
      /nothing to remove/,
    );
  });

  it('from sudo, drops to the user with only CAP_NET_ADMIN and CAP_NET_RAW, and still captures and cleans up', async () => {
    // A game run by an unprivileged user (uid 65534) from a directory that user can read.
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-user-game-'));
    try {
      await chmod(dir, 0o755);
      await copyFile(path.join(PEERS, 'game.mjs'), path.join(dir, 'game.mjs'));
      const userGame = new Game(
        net.lab.spawn(game, 'setpriv', [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          path.join(dir, 'game.mjs'),
          SERVER_HOST,
          String(SERVER_PORT),
          '10',
        ]),
      );
      await userGame.ready();
      const child = net.lab.spawn(
        game,
        process.execPath,
        [CLI, 'capture', '--pid', String(userGame.pid), '--relay', RELAY_ADDR, '--control', 'off', '--json'],
        // As sudo leaves it: root's HOME. The summary goes to the user's config dir (LIGHTSPEED_SESSIONS_FILE
        // unset): nobody's home is /nonexistent, so the save fails there, and says where it tried.
        {
          env: {
            ...process.env,
            SUDO_UID: '65534',
            SUDO_GID: '65534',
            HOME: '/root',
            LIGHTSPEED_SESSIONS_FILE: undefined,
            XDG_CONFIG_HOME: undefined,
          },
        },
      );
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const next = lines(child);
      await next((l) => l.includes('"phase":"capturing"'));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('65534');
      expect(/^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1]).toBe('0000000000003000');
      const w = await userGame.trafficOver(1000);
      expect(Object.keys(w.seen)).toEqual([RELAY_HOST]);
      child.kill('SIGINT');
      expect(await waitExit(child)).toBe(0);
      expect(await leftovers()).toEqual({ table: false, rule: false });
      expect(stderr).toContain('not kept in /nonexistent/.config/lightspeed/sessions.json');
      expect(stderr).not.toContain('/root/');
      userGame.child.kill('SIGTERM');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--watch shows the game’s server and rate passively: no rules, nothing diverted', async () => {
    const child = net.lab.spawn(game, process.execPath, [
      CLI,
      'capture',
      '--pid',
      String(player.pid),
      '--watch',
      '--json',
      '--duration',
      '3',
    ]);
    const next = lines(child);
    const line = await next((l) => {
      const t = JSON.parse(l) as { flows?: { remote: string; packetsOut: number; packetsIn: number }[] };
      return (t.flows ?? []).some((f) => f.remote === SERVER && f.packetsOut > 0 && f.packetsIn > 0);
    });
    const seen = JSON.parse(line) as { ports: number[]; flows: { remote: string; packetsOut: number }[] };
    expect(seen.flows[0]!.remote).toBe(SERVER);
    expect(seen.flows[0]!.packetsOut).toBeGreaterThan(50); // ~100 pkt/s
    expect(await leftovers()).toEqual({ table: false, rule: false });
    const w = await player.trafficOver(300);
    expect(Object.keys(w.seen)).toEqual([GAME_HOST]); // still direct
    expect(await waitExit(child)).toBe(0);
  });

  it('recovers losses with FEC when a lossy link sits on the tunnel path', async () => {
    const link = net.lab.spawn(game, process.execPath, [
      CLI,
      'lossy-link',
      '--listen',
      `${GAME_HOST}:5555`,
      '--forward',
      RELAY_ADDR,
      '--loss',
      '0.05',
      '--seed',
      '7',
    ]);
    await lines(link)((l) => l.includes('5555'));
    const child = net.lab.spawn(game, process.execPath, [
      CLI,
      'capture',
      '--pid',
      String(player.pid),
      '--relay',
      `${GAME_HOST}:5555`,
      '--control',
      'off',
      '--json',
      '--fec',
      '4',
    ]);
    const next = lines(child);
    await next((l) => l.includes('"phase":"capturing"'));
    const w = await player.trafficOver(3000);
    const stats = JSON.parse(await next((l) => /"fecRecovered":[1-9]/.test(l))) as {
      stats: { fecRecovered: number };
    };
    expect(stats.stats.fecRecovered).toBeGreaterThan(0);
    expect(Object.keys(w.from)).toEqual([SERVER]);
    // 5% each way would leave ~90% without FEC; K=4 parity rebuilds most of what is lost.
    expect(w.replies / w.sent).toBeGreaterThan(0.93);
    child.kill('SIGINT');
    expect(await waitExit(child)).toBe(0);
    link.kill('SIGTERM');
    expect(await leftovers()).toEqual({ table: false, rule: false });
  });
});
