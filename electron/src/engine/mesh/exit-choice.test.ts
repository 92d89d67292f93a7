/**
 * Choosing the exit: the pure choice (measured legs, the region prior, nothing known), then three real
 * mesh relays on loopback in front of a game server that answers each exit after a different delay (r1
 * 60 ms, r2 30 ms, r3 at once): once the exits have carried traffic, the entry r1 answers an EXITS question
 * with every node's measured leg, `--exit auto` picks r3, and the game's traffic leaves at r3. A relay that
 * is not a mesh node never answers, so the caller keeps the single-relay path.
 */
import dgram from 'node:dgram';

import { LEG_PENDING, LEG_UNKNOWN, parseIpv4, type MeshExit } from '@lightspeed/shared';
import { startMeshLab, startTestRelay, type MeshLab } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { askExits, chooseExit } from './exit-choice.js';
import { MeshBoost, NotAMeshError } from './mesh-boost.js';
import { MeshSession } from './mesh-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LOCALHOST = parseIpv4('127.0.0.1')!;

const exit = (node: string, meshMs: number, legMs: number | null, region = ''): MeshExit => ({
  node,
  meshRttUs: meshMs * 1000,
  legUs: legMs === null ? LEG_UNKNOWN : legMs * 1000,
  region,
  via: [],
});

describe('chooseExit', () => {
  it('least mesh cost + measured leg', () => {
    const c = chooseExit([exit('a', 0, 80), exit('b', 10, 30), exit('c', 25, 5)])!;
    expect(c.exit).toBe('c');
    expect(c.costMs).toBe(30);
    // A far exit with a short leg loses to a near one when the mesh path costs more than it saves.
    expect(chooseExit([exit('a', 0, 40), exit('b', 60, 5)])!.exit).toBe('a');
  });

  it("a node that measured nothing gets the region prior from the server's estimated region", () => {
    // The server is placed in us-east (a's leg is the shortest measured); b, unmeasured, is in us-east
    // too: its prior is a's leg (20 ms), and it is 10 ms nearer on the mesh.
    const c = chooseExit([exit('a', 10, 20, 'us-east'), exit('b', 0, null, 'us-east')])!;
    expect(c.exit).toBe('b');
    expect(c.costMs).toBe(20);
    expect(c.why).toMatch(/region/);
    // In eu-west it would be 80 ms further from the server: a stays.
    expect(chooseExit([exit('a', 10, 20, 'us-east'), exit('b', 0, null, 'eu-west')])!.exit).toBe('a');
    const pending = { ...exit('b', 5, null, ''), legUs: LEG_PENDING };
    expect(chooseExit([exit('a', 0, 20, 'eu-west'), pending])!.exit).toBe('a');
  });

  it('nothing measured anywhere: the entry itself; no answer at all: null', () => {
    const c = chooseExit([exit('e', 0, null), exit('f', 3, null)])!;
    expect(c.exit).toBe('e');
    expect(c.costMs).toBeNull();
    expect(chooseExit([])).toBeNull();
  });
});

/** A game server that answers every datagram after the delay its sender's port is given (0 otherwise). */
async function delayedServer(delayFor: (port: number) => number): Promise<{ port: number; close(): void }> {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    setTimeout(() => s.send(m, r.port, r.address), delayFor(r.port));
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, close: () => s.close() };
}

describe('exit auto on a loopback mesh', () => {
  let lab: MeshLab | null = null;
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await lab?.stop();
    lab = null;
  });

  it('the exit chosen is the one with the fastest leg to the server', async () => {
    lab = await startMeshLab({ probeIntervalMs: 100 });
    const delays: Record<string, number> = { r1: 60, r2: 30, r3: 0 };
    const sessions = new Map<string, MeshSession>();
    const server = await delayedServer((port) => {
      for (const [node, s] of sessions)
        if (lab!.relay(node).mesh!.exitSourcePort(s.key) === port) return delays[node]!;
      return 0;
    });
    closers.push(() => server.close());
    const r1 = lab.relay('r1');
    const entry = { host: '127.0.0.1', port: r1.dataPort };
    for (let i = 0; i < 100 && !['r2', 'r3'].every((n) => r1.mesh!.reachable(n)); i++) await sleep(50);
    // Before any exit carried traffic to this server nobody has measured a leg: the entry is the exit.
    const blind = await askExits({ entry, serverIp: LOCALHOST, serverPort: server.port });
    expect(blind?.map((e) => e.node).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(blind?.every((e) => e.legUs === LEG_UNKNOWN)).toBe(true);
    expect(chooseExit(blind!)!.exit).toBe('r1');
    // Each node carries some request/response traffic to the server as an exit (other players' sessions).
    for (const node of ['r1', 'r2', 'r3']) {
      let answers = 0;
      const s = new MeshSession({
        entries: [{ name: 'r1', ...entry }],
        exit: node,
        serverIp: LOCALHOST,
        serverPort: server.port,
        deliver: () => answers++,
      });
      sessions.set(node, s);
      closers.push(() => s.close());
      await s.open();
      for (let i = 0; i < 6; i++) {
        s.send(Uint8Array.of(i));
        await sleep(delays[node]! + 20);
      }
      for (let i = 0; i < 100 && answers < 6; i++) await sleep(20);
      expect(answers).toBe(6);
    }
    const exits = await askExits({ entry, serverIp: LOCALHOST, serverPort: server.port });
    const leg = (n: string): number => exits!.find((e) => e.node === n)!.legUs / 1000;
    expect(leg('r1')).toBeGreaterThanOrEqual(58); // timers may fire a fraction early by this clock
    expect(leg('r2')).toBeGreaterThanOrEqual(28);
    expect(leg('r2')).toBeLessThan(leg('r1'));
    expect(leg('r3')).toBeLessThan(leg('r2'));
    expect(exits!.every((e) => e.region === `lab-${e.node}`)).toBe(true);
    expect(chooseExit(exits!)!.exit).toBe('r3');

    // The boost with exit auto: the game's datagrams leave the mesh at r3.
    const boost = new MeshBoost({
      server: { host: '127.0.0.1', port: server.port },
      entries: [entry],
      exit: 'auto',
    });
    closers.push(() => boost.stop());
    const port = await boost.start();
    expect(boost.exit).toBe('r3');
    expect(boost.exitChoice?.why).toMatch(/measured leg/);
    const game = dgram.createSocket('udp4');
    closers.push(() => game.close());
    const replies: Buffer[] = [];
    game.on('message', (m) => replies.push(m));
    const exitsBefore = lab.relay('r3').mesh!.flows().exit;
    game.send(Buffer.from('hello'), port, '127.0.0.1');
    for (let i = 0; i < 100 && replies.length === 0; i++) await sleep(20);
    expect(replies.map(String)).toEqual(['hello']);
    expect(lab.relay('r3').mesh!.flows().exit).toBe(exitsBefore + 1);
  });

  it('a relay that is not a mesh node never answers: no exit, the caller keeps one relay', async () => {
    const relay = await startTestRelay();
    closers.push(() => relay.stop());
    const entry = { host: '127.0.0.1', port: relay.dataPort };
    expect(await askExits({ entry, serverIp: LOCALHOST, serverPort: 9, timeoutMs: 400 })).toBeNull();
    const boost = new MeshBoost({ server: { host: '127.0.0.1', port: 9 }, entries: [entry], exit: 'auto' });
    closers.push(() => boost.stop());
    await expect(boost.start()).rejects.toBeInstanceOf(NotAMeshError);
  });
});
