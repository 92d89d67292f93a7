/**
 * A mesh session against three real relays on loopback (entries e1, e2; exit x): killing the entry mid-
 * session moves the session to e2 after the failover detection, the game server sees one source address
 * throughout, and every packet sent after the move arrives. With multipath, killing an entry loses nothing
 * and neither the server nor the game sees a duplicate.
 */
import { parseIpv4 } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { MeshDrop, startMeshLab, type MeshLab } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { MeshSession } from './mesh-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !check()) await sleep(20);
  return check();
}

describe('mesh session failover', () => {
  let lab: MeshLab | null = null;
  let echo: EchoServer | null = null;
  let session: MeshSession | null = null;
  afterEach(async () => {
    await session?.close();
    await lab?.stop();
    await echo?.stop();
    session = null;
    lab = null;
    echo = null;
  });

  async function setup(multipath: boolean): Promise<{ got: Set<number>; dupes: () => number }> {
    lab = await startMeshLab({ nodes: ['e1', 'e2', 'x'], probeIntervalMs: 100 });
    echo = await EchoServer.start();
    const x = lab.relay('x').mesh!;
    expect(await until(() => x.reachable('e1') && x.reachable('e2'))).toBe(true);
    const got = new Set<number>();
    let dupes = 0;
    session = new MeshSession({
      entries: ['e1', 'e2'].map((n) => ({ name: n, host: '127.0.0.1', port: lab!.relay(n).dataPort })),
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: echo.port,
      keepaliveMs: 50,
      multipath,
      deliver: (p) => {
        const i = p[0]! * 256 + p[1]!;
        if (got.has(i)) dupes++;
        got.add(i);
      },
    });
    await session.open();
    return { got, dupes: () => dupes };
  }

  const send = (i: number): void => session!.send(Uint8Array.of(i >> 8, i & 0xff, 7, 7));

  it('entry killed: moves to the next entry that reaches the exit; one source address at the server', async () => {
    const { got, dupes } = await setup(false);
    let changedAt = -1;
    let sent = 0;
    const s = session!;
    const changes: string[] = [];
    // Record the first packet index sent after the move.
    for (; sent < 40; sent++) {
      send(sent);
      await sleep(5);
    }
    expect(await until(() => got.size === 40)).toBe(true);
    const sources = [...echo!.peers];
    expect(sources).toHaveLength(1);
    await lab!.relay('e1').stop();
    for (; sent < 400 && changedAt < 0; sent++) {
      send(sent);
      if (s.stats.failovers > 0) {
        changedAt = sent;
        changes.push(...s.stats.active);
      }
      await sleep(5);
    }
    expect(changedAt).toBeGreaterThan(0);
    expect(changes).toEqual(['e2']);
    for (let i = 0; i < 40; i++, sent++) {
      send(sent);
      await sleep(5);
    }
    // Everything sent from the move on arrives, through e2, at the same exit socket.
    expect(await until(() => [...Array(sent - changedAt).keys()].every((k) => got.has(changedAt + k)))).toBe(
      true,
    );
    expect([...echo!.peers]).toEqual(sources);
    expect(dupes()).toBe(0);
    // The outage is the failover detection: the move came after 3 unanswered keepalives, not before (a
    // stalled event loop may count more than one expiry at once).
    expect(s.stats.failovers).toBe(1);
    expect(s.stats.missesAtFailover).toBeGreaterThanOrEqual(3);
  });

  it('multipath: killing an entry loses nothing; no duplicate reaches the server or the game', async () => {
    const { got, dupes } = await setup(true);
    expect(session!.activeEntries().map((e) => e.name)).toEqual(['e1', 'e2']);
    let sent = 0;
    for (; sent < 60; sent++) {
      send(sent);
      await sleep(5);
    }
    expect(await until(() => got.size === 60)).toBe(true);
    await lab!.relay('e1').stop();
    for (; sent < 160; sent++) {
      send(sent);
      await sleep(5);
    }
    expect(await until(() => got.size === 160)).toBe(true);
    expect(echo!.packets).toBe(160); // the exit dropped every second copy
    expect(echo!.peers.size).toBe(1);
    expect(dupes()).toBe(0);
    expect(session!.stats.duplicatesDropped).toBeGreaterThanOrEqual(60); // the game never saw them
  });

  it('each entry gets its own session token (tokens are per relay)', async () => {
    const only = (token: number) => ({
      authorize: (_ip: string, t: number) => t === token,
      sessionEnded: () => undefined,
    });
    lab = await startMeshLab({
      nodes: ['e1', 'e2', 'x'],
      probeIntervalMs: 100,
      authorities: { e1: only(11), e2: only(22) },
    });
    echo = await EchoServer.start();
    const x = lab.relay('x').mesh!;
    expect(await until(() => x.reachable('e1') && x.reachable('e2'))).toBe(true);
    const got = new Set<number>();
    session = new MeshSession({
      entries: [
        { name: 'e1', host: '127.0.0.1', port: lab.relay('e1').dataPort, token: 11 },
        { name: 'e2', host: '127.0.0.1', port: lab.relay('e2').dataPort, token: 22 },
      ],
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: echo.port,
      keepaliveMs: 50,
      multipath: true,
      deliver: (p) => got.add(p[0]!),
    });
    await session.open();
    for (let i = 0; i < 20; i++) {
      session.send(Uint8Array.of(i));
      await sleep(5);
    }
    expect(await until(() => got.size === 20)).toBe(true);
    // Both entries carried the session (the exit dropped every second copy), each with its own token.
    expect(x.stats.drops[MeshDrop.DUPLICATE]).toBeGreaterThanOrEqual(15);
    expect(lab.relay('e1').mesh!.stats.drops[MeshDrop.CLIENT_UNAUTHENTICATED]).toBe(0);
    expect(lab.relay('e2').mesh!.stats.drops[MeshDrop.CLIENT_UNAUTHENTICATED]).toBe(0);
  });
});
