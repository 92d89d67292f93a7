/**
 * FEC on the client ↔ entry leg of a mesh session, on real loopback relays (entry e1, exit x) with the
 * project's userspace lossy link (10% iid loss each way) between the session and its entry: with FEC (the
 * default against an entry that speaks it) far fewer packets are lost going up (counted at the game
 * server) and coming down (counted at the game) than with it off, the entry and the session both rebuild
 * packets, and nobody sees a packet twice. With multipath over two lossy legs, rebuilt copies are still
 * dropped as duplicates: the game server and the game see each packet once. Against a scripted entry: an
 * entry that does not say it speaks FEC gets bare DATA only, and one that forgot the session's channel gets
 * a new epoch.
 */
import dgram from 'node:dgram';

import {
  FecChannel,
  MESH_STATUS_EXIT_REACHABLE,
  MESH_STATUS_FEC,
  MESH_STATUS_FEC_HELD,
  MeshKind,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  parseIpv4,
  type MeshClientFrame,
} from '@lightspeed/shared';
import { LossyLink } from '@lightspeed/shared/node';
import { startMeshLab, type MeshLab } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { MeshSession } from './mesh-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !check()) await sleep(20);
  return check();
}

/** A game server that echoes and counts how often it saw each packet index. */
async function countingEcho(): Promise<{ port: number; seen: Map<number, number>; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  const seen = new Map<number, number>();
  socket.on('message', (msg, rinfo) => {
    const i = msg.readUInt16BE(0);
    seen.set(i, (seen.get(i) ?? 0) + 1);
    socket.send(msg, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, seen, close: () => socket.close() };
}

const N = 500;
const LOSS = 0.1;

describe('mesh session: FEC on the entry leg', () => {
  let lab: MeshLab | null = null;
  const links: LossyLink[] = [];
  let echo: Awaited<ReturnType<typeof countingEcho>> | null = null;
  let session: MeshSession | null = null;
  afterEach(async () => {
    await session?.close();
    for (const l of links.splice(0)) await l.stop();
    await lab?.stop();
    echo?.close();
    session = null;
    lab = null;
    echo = null;
  });

  /** N packets through entries behind lossy links; what reached the server and the game. */
  async function run(
    entries: string[],
    fec: boolean,
    seed: number,
  ): Promise<{ up: number; down: number; dupesAtGame: number; maxAtServer: number; s: MeshSession }> {
    lab = await startMeshLab({ nodes: [...entries, 'x'], probeIntervalMs: 100 });
    echo = await countingEcho();
    const x = lab.relay('x').mesh!;
    expect(await until(() => entries.every((e) => x.reachable(e)))).toBe(true);
    for (const [i, e] of entries.entries()) {
      links.push(
        await LossyLink.start({
          listen: { host: '127.0.0.1', port: 0 },
          forward: { host: '127.0.0.1', port: lab.relay(e).dataPort },
          loss: LOSS,
          seed: seed + i,
        }),
      );
    }
    const got = new Set<number>();
    let dupes = 0;
    session = new MeshSession({
      entries: entries.map((name, i) => ({
        name,
        host: '127.0.0.1',
        port: Number(links[i]!.address.split(':')[1]),
      })),
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: echo.port,
      keepaliveMs: 50,
      // Keepalives cross the lossy link too: no failover on a run of lost ones.
      failoverMisses: 20,
      multipath: entries.length > 1,
      moveToBetter: false,
      fec,
      deliver: (p) => {
        const i = p[0]! * 256 + p[1]!;
        if (got.has(i)) dupes++;
        got.add(i);
      },
    });
    await session.open();
    await sleep(100); // the first keepalive answers (they say whether the entry speaks FEC)
    for (let i = 0; i < N; i++) {
      session.send(Uint8Array.of(i >> 8, i & 0xff, ...new Uint8Array(60)));
      await sleep(4);
    }
    await sleep(500);
    const atServer = echo.seen.size;
    return {
      up: 1 - atServer / N,
      down: 1 - got.size / atServer,
      dupesAtGame: dupes,
      maxAtServer: Math.max(...echo.seen.values()),
      s: session,
    };
  }

  it('loses far less with FEC than without, both directions; rebuilt packets are not duplicated', async () => {
    const off = await run(['e1'], false, 5);
    const offUp = off.up;
    const offDown = off.down;
    expect(off.s.stats.fecRecovered).toBe(0);
    expect(lab!.relay('e1').mesh!.stats.clientFecRecovered).toBe(0);
    await session!.close();
    for (const l of links.splice(0)) await l.stop();
    await lab!.stop();
    echo!.close();

    const on = await run(['e1'], true, 5);
    // Without FEC the leg loses about what the link drops (each way).
    expect(offUp).toBeGreaterThan(0.05);
    expect(offDown).toBeGreaterThan(0.05);
    // With it, at most a third of that, in both directions.
    expect(on.up).toBeLessThan(offUp / 3);
    expect(on.down).toBeLessThan(offDown / 3);
    expect(on.s.stats.fecRecovered).toBeGreaterThan(0);
    expect(lab!.relay('e1').mesh!.stats.clientFecRecovered).toBeGreaterThan(0);
    expect(on.maxAtServer).toBe(1);
    expect(on.dupesAtGame).toBe(0);
  });

  it('multipath with FEC on both legs: the server and the game see each packet once', async () => {
    const r = await run(['e1', 'e2'], true, 9);
    expect(session!.activeEntries().map((e) => e.name)).toEqual(['e1', 'e2']);
    expect(r.maxAtServer).toBe(1);
    expect(r.dupesAtGame).toBe(0);
    expect(r.up).toBeLessThan(0.01);
    expect(r.down).toBeLessThan(0.01);
    expect(r.s.stats.duplicatesDropped).toBeGreaterThan(N / 2);
  });

  it('negotiation: bare DATA to an entry without FEC; a new epoch when the entry forgot the channel', async () => {
    const entry = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => entry.bind(0, '127.0.0.1', () => resolve()));
    let status = MESH_STATUS_EXIT_REACHABLE;
    const frames: MeshClientFrame[] = [];
    let channel: { epoch: number; fec: FecChannel } | null = null;
    let client = { port: 0, address: '' };
    entry.on('message', (m, rinfo) => {
      client = rinfo;
      const d = decodeMeshClientFrame(m);
      if (!d.ok) return;
      const f = d.frame;
      frames.push({ ...f, payload: Uint8Array.from(f.payload) });
      if (f.kind === MeshKind.KEEPALIVE) {
        const answer = { ...f, tokenOrStatus: status, exit: '', payload: new Uint8Array(0) };
        entry.send(encodeMeshClientFrame(answer), rinfo.port, rinfo.address);
      }
      if (f.kind !== MeshKind.FEC) return;
      if (channel?.epoch !== f.seq) {
        const epoch = f.seq;
        const fec = new FecChannel(
          (datagram) => {
            const out = { ...f, seq: epoch, tokenOrStatus: 0, payload: datagram };
            entry.send(encodeMeshClientFrame(out), client.port, client.address);
          },
          () => undefined,
        );
        channel = { epoch, fec };
      }
      channel.fec.receive(f.payload, performance.now());
    });
    const got: number[] = [];
    session = new MeshSession({
      entries: [{ name: 'scripted', host: '127.0.0.1', port: entry.address().port }],
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: 9,
      keepaliveMs: 30,
      deliver: (p) => got.push(p[0]!),
    });
    try {
      await session.open();
      const keepalives = (): number => frames.filter((f) => f.kind === MeshKind.KEEPALIVE).length;
      const sendSome = async (from: number): Promise<void> => {
        const k = keepalives();
        expect(await until(() => keepalives() >= k + 2)).toBe(true); // answers with the new status are in
        for (let i = from; i < from + 5; i++) session!.send(Uint8Array.of(i));
        await sleep(50);
      };
      // An entry that does not speak FEC (an older one) gets bare DATA.
      await sendSome(0);
      expect(frames.filter((f) => f.kind === MeshKind.DATA)).toHaveLength(5);
      expect(frames.some((f) => f.kind === MeshKind.FEC)).toBe(false);
      // It says it does: FEC frames under one epoch; it answers through the channel and holds it.
      status |= MESH_STATUS_FEC | MESH_STATUS_FEC_HELD;
      await sendSome(5);
      const first = channel!.epoch;
      const reply = encodeMeshClientFrame({
        ...frames.at(-1)!,
        kind: MeshKind.DATA,
        seq: 1,
        payload: Uint8Array.of(99),
      });
      channel!.fec.send(reply, performance.now());
      expect(await until(() => got.includes(99))).toBe(true);
      expect(frames.filter((f) => f.kind === MeshKind.DATA)).toHaveLength(5);
      // It forgot the channel (a restart): the next DATA starts a new epoch.
      status &= ~MESH_STATUS_FEC_HELD;
      await sendSome(10);
      expect(channel!.epoch).not.toBe(first);
      expect(frames.filter((f) => f.kind === MeshKind.DATA)).toHaveLength(5);
    } finally {
      entry.close();
    }
  });
});
