/**
 * Capture mode through the relay mesh, end to end in network namespaces (needs root and nft: skipped,
 * saying so, otherwise). The real `lightspeed capture --exit x` CLI, the real nftables/divert backend,
 * three real relay processes (mesh-capture-lab.ts):
 *
 *   game ns ── relays ns: entries e1, e2 (game side) ─mesh─ exit x (server side) ── server ns (seen-echo)
 *
 * The game sends straight to the server's address; the server sees the exit's address, one IP:port, and
 * keeps seeing that same IP:port after the entry carrying the session is SIGKILLed. With --multipath
 * the kill costs no reply and neither the server nor the game sees a duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { canUseNetns } from '@lightspeed/shared/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { stdioChannel } from '../../ipc-backend/capture-channel.js';
import { CaptureHelperEngine } from '../../ipc-backend/capture-helper.js';
import { lines } from '../../test-support/child-lines.js';
import {
  CLI,
  EXIT_HOST,
  GAME_HOST,
  PEERS,
  SERVER_HOST,
  SERVER_PORT,
  startMeshCaptureLab,
  type MeshCaptureLab,
} from '../../test-support/mesh-capture-lab.js';
import { waitFor } from '../../test-support/wait.js';

const SERVER = `${SERVER_HOST}:${SERVER_PORT}`;

interface Window {
  sent: number;
  replies: number;
  from: Record<string, number>;
  seen: Record<string, number>;
  seenAt: Record<string, number>;
  dups: number;
  lost: number;
}

class Game {
  readonly next: ReturnType<typeof lines>;
  constructor(readonly child: ChildProcess) {
    this.next = lines(child);
  }
  async report(): Promise<Window> {
    this.child.stdin!.write('report\n');
    return JSON.parse(await this.next((l) => l.startsWith('{"sent"'))) as Window;
  }
  async trafficOver(ms: number): Promise<Window> {
    await this.report();
    await new Promise((r) => setTimeout(r, ms));
    return this.report();
  }
}

const waitExit = (c: ChildProcess): Promise<number | null> =>
  new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

describe.skipIf(!canUseNetns())('capture through the relay mesh in network namespaces (root)', () => {
  let net: MeshCaptureLab;
  let player: Game;

  beforeEach(async () => {
    net = await startMeshCaptureLab();
    player = new Game(
      net.lab.spawn(net.game, process.execPath, [
        path.join(PEERS, 'game.mjs'),
        SERVER_HOST,
        String(SERVER_PORT),
        '10',
      ]),
    );
    await player.next((l) => l.includes('"ready"'));
  }, 60_000);

  afterEach(async () => {
    await net?.close();
  });

  /** `lightspeed capture --exit x` on the game; resolves once the server is found and traffic flows. */
  async function startCapture(...args: string[]): Promise<{ child: ChildProcess; events: string[] }> {
    const child = net.lab.spawn(net.game, process.execPath, [
      CLI,
      'capture',
      '--pid',
      String(player.child.pid),
      '--relay',
      net.data.e1!,
      '--relay',
      net.data.e2!,
      '--exit',
      'x',
      '--control',
      'off',
      '--keepalive-ms',
      '100',
      '--json',
      ...args,
    ]);
    const events: string[] = [];
    const next = lines(child);
    child.stdout!.on('data', (d: Buffer) => events.push(...d.toString().split('\n')));
    await next((l) => l.includes('"phase":"capturing"') && l.includes(SERVER), 20_000);
    // Until the mesh has routes to x everywhere, the first datagrams may find no entry that reaches it.
    for (let i = 0; i < 20; i++) {
      const w = await player.trafficOver(300);
      if (w.sent > 0 && w.replies >= w.sent - 1) break;
    }
    return { child, events };
  }

  it('leaves the mesh at the exit; killing the entry keeps one source IP:port at the server', async () => {
    const direct = await player.trafficOver(300);
    expect(Object.keys(direct.seen)).toEqual([GAME_HOST]);

    const { child, events } = await startCapture();
    const before = await player.trafficOver(1000);
    // The server saw the exit (never an entry, never the game); the game heard the server's own address.
    expect(Object.keys(before.seen)).toEqual([EXIT_HOST]);
    expect(Object.keys(before.seenAt)).toHaveLength(1);
    expect(Object.keys(before.from)).toEqual([SERVER]);
    expect(before.replies).toBeGreaterThanOrEqual(before.sent * 0.95);

    await net.kill('e1');
    // 3 keepalives of 100 ms unanswered, then the session moves to e2 (a failover event).
    for (let i = 0; i < 100 && !events.some((l) => l.includes('"type":"failover"')); i++)
      await new Promise((r) => setTimeout(r, 50));
    const failover = events.find((l) => l.includes('"type":"failover"'));
    expect(failover).toContain(net.data.e2);
    const after = await player.trafficOver(1500);
    expect(after.replies).toBeGreaterThanOrEqual(after.sent * 0.95);
    // The same exit socket: the game server never saw the player change address.
    expect(Object.keys(after.seenAt)).toEqual(Object.keys(before.seenAt));
    expect(after.dups).toBe(0);

    child.kill('SIGINT');
    expect(await waitExit(child)).toBe(0);
    const back = await player.trafficOver(300);
    expect(Object.keys(back.seen)).toEqual([GAME_HOST]);
  });

  it('with --multipath the entry kill costs no reply and nobody sees a duplicate', async () => {
    const { child } = await startCapture('--multipath');
    const before = await player.trafficOver(1000);
    expect(Object.keys(before.seenAt)).toHaveLength(1);
    await net.kill('e1');
    await new Promise((r) => setTimeout(r, 1500));
    const during = await player.report();
    await new Promise((r) => setTimeout(r, 1100));
    // A datagram counts as lost one second after it was sent with no answer: these two reports cover
    // everything sent from a second before the kill to 1.5 s after it.
    const settled = await player.report();
    expect(during.sent).toBeGreaterThan(100);
    expect(during.lost + settled.lost).toBe(0);
    expect(before.dups + during.dups + settled.dups).toBe(0);
    expect(Object.keys(during.seenAt)).toEqual(Object.keys(before.seenAt));
    child.kill('SIGINT');
    expect(await waitExit(child)).toBe(0);
  });

  it("the app's capture helper takes the mesh setting: through the exit, its route reported", async () => {
    const engine = new CaptureHelperEngine({
      keepaliveMs: 100,
      mesh: { exit: 'x', multipath: false },
      launch: (args) => {
        const child = spawn('ip', ['netns', 'exec', net.game, process.execPath, CLI, ...args], {
          stdio: 'pipe',
        });
        return Promise.resolve(stdioChannel(child));
      },
      prober: { probe: () => Promise.resolve([]) },
    });
    await engine.start({
      routes: [],
      capture: { target: { kind: 'pid', pids: [player.child.pid!] } },
      relays: ['e1', 'e2'].map((n) => {
        const [host, port] = net.data[n]!.split(':');
        return { host: host!, port: Number(port) };
      }),
      fecK: 0,
    });
    try {
      await waitFor(() => engine.meshRoute()?.paths[0]?.route.join() === 'e1,x', 10_000, 'the mesh route');
      const w = await player.trafficOver(1000);
      expect(Object.keys(w.seen)).toEqual([EXIT_HOST]);
      expect(w.replies).toBeGreaterThanOrEqual(w.sent * 0.95);
    } finally {
      await engine.stop();
    }
    expect((await player.trafficOver(300)).seen).toHaveProperty([GAME_HOST]);
  });
});
