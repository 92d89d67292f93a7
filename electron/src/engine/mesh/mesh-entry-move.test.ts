/**
 * Moving to a better entry (three real mesh relays on loopback: entries e1, e2, exit x). The session starts
 * on e1, reached through a userspace delay link (20 ms each way): it moves to e2 once e2 has been clearly
 * better for a few keepalive rounds, loses nothing on the way, and the game server sees one source address
 * throughout. With two entries of about the same RTT it stays where it is.
 */
import { parseIpv4 } from '@lightspeed/shared';
import { EchoServer, LossyLink } from '@lightspeed/shared/node';
import { startMeshLab, type MeshLab } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { MOVE_ROUNDS, MeshSession, type MeshEntry } from './mesh-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !check()) await sleep(20);
  return check();
}

describe('mesh session: a better entry', () => {
  let lab: MeshLab | null = null;
  let echo: EchoServer | null = null;
  let link: LossyLink | null = null;
  let session: MeshSession | null = null;
  afterEach(async () => {
    await session?.close();
    await link?.stop();
    await lab?.stop();
    await echo?.stop();
    session = link = lab = echo = null;
  });

  async function start(e1DelayMs: number): Promise<{ got: Set<number>; moves: [string, string][] }> {
    lab = await startMeshLab({ nodes: ['e1', 'e2', 'x'], probeIntervalMs: 100 });
    echo = await EchoServer.start();
    const x = lab.relay('x').mesh!;
    expect(await until(() => x.reachable('e1') && x.reachable('e2'))).toBe(true);
    let e1Port = lab.relay('e1').dataPort;
    if (e1DelayMs > 0) {
      link = await LossyLink.start({
        listen: { host: '127.0.0.1', port: 0 },
        forward: { host: '127.0.0.1', port: e1Port },
        delayMs: e1DelayMs,
      });
      e1Port = link.port;
    }
    const entries: MeshEntry[] = [
      { name: 'e1', host: '127.0.0.1', port: e1Port },
      { name: 'e2', host: '127.0.0.1', port: lab.relay('e2').dataPort },
    ];
    const got = new Set<number>();
    const moves: [string, string][] = [];
    session = new MeshSession({
      entries,
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: echo.port,
      keepaliveMs: 50,
      deliver: (p) => got.add(p[0]! * 256 + p[1]!),
      onEntryChange: (from, to) => moves.push([from?.name ?? '-', to?.name ?? '-']),
    });
    await session.open();
    return { got, moves };
  }

  const send = (i: number): void => session!.send(Uint8Array.of(i >> 8, i & 0xff, 7));

  it('moves from a slow entry to a faster one that reaches the same exit; one source address at the server', async () => {
    const { got, moves } = await start(20);
    expect(session!.activeEntries().map((e) => e.name)).toEqual(['e1']);
    let sent = 0;
    for (; sent < 20; sent++) {
      send(sent);
      await sleep(10);
    }
    expect(await until(() => got.size === 20)).toBe(true);
    const sources = [...echo!.peers];
    expect(sources).toHaveLength(1);
    // Keep the game talking while the keepalives compare the entries.
    for (; sent < 1000 && session!.stats.moves === 0; sent++) {
      send(sent);
      await sleep(10);
    }
    expect(session!.stats.moves).toBe(1);
    expect(moves).toEqual([['e1', 'e2']]);
    expect(session!.activeEntries().map((e) => e.name)).toEqual(['e2']);
    expect(session!.stats.failovers).toBe(0);
    for (let i = 0; i < 50; i++, sent++) {
      send(sent);
      await sleep(10);
    }
    // Nothing lost across the move, the same exit socket throughout, and no move back.
    expect(await until(() => got.size === sent)).toBe(true);
    expect([...echo!.peers]).toEqual(sources);
    expect(echo!.packets).toBe(sent);
    expect(session!.stats.moves).toBe(1);
  });

  it('entries of about the same RTT: no move (hysteresis)', async () => {
    const { got, moves } = await start(0);
    // Many more keepalive rounds than a move needs.
    for (let i = 0; i < 100; i++) {
      send(i);
      await sleep(20);
    }
    expect(100 * 20).toBeGreaterThan(MOVE_ROUNDS * 50 * 5);
    expect(await until(() => got.size === 100)).toBe(true);
    expect(moves).toEqual([]);
    expect(session!.stats.moves).toBe(0);
  });
});
