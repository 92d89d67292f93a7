/**
 * FEC on the client leg at a real relay (entry and exit in one node, on loopback): a client's `FecChannel`
 * gets its DATA to the game server and the replies back as kind-5 frames under its epoch; keepalive answers
 * say the entry speaks FEC and, once it holds the session's channel, that it does; a new epoch gets a new
 * channel; malformed FEC frames, and channels that deliver anything but this session's DATA, are counted
 * and dropped without an answer.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

import {
  FecChannel,
  MESH_STATUS_FEC,
  MESH_STATUS_FEC_HELD,
  MeshKind,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  parseIpv4,
  type MeshClientFrame,
  type MeshKindValue,
} from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { MeshDrop } from './mesh-stats.js';
import { resolveConfig } from '../config/config.js';
import { startRelay, type Relay } from '../relay/start-relay.js';
import { freeUdpPorts, waitFor } from '../testing/mesh-lab.js';
import { metric } from '../testing/relay-fixture.js';

const LOCALHOST = parseIpv4('127.0.0.1')!;

describe('client-leg FEC at the entry', () => {
  let relay: Relay | null = null;
  let echo: EchoServer | null = null;
  let socket: Socket | null = null;
  afterEach(async () => {
    socket?.close();
    await relay?.stop();
    await echo?.stop();
    relay = null;
    echo = null;
    socket = null;
  });

  async function setup(): Promise<{ received: MeshClientFrame[]; send: (frame: Uint8Array) => void }> {
    echo = await EchoServer.start();
    const [meshPort] = await freeUdpPorts(1);
    relay = await startRelay(
      resolveConfig({
        server: { node_id: 'e', region: 'eu-west', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: { bind: `127.0.0.1:${meshPort!}`, probe_interval_ms: 100 },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const s = createSocket('udp4');
    socket = s;
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    const received: MeshClientFrame[] = [];
    s.on('message', (m) => {
      const d = decodeMeshClientFrame(m);
      if (d.ok) received.push({ ...d.frame, payload: Uint8Array.from(d.frame.payload) });
    });
    return { received, send: (frame) => s.send(frame, relay!.dataPort, '127.0.0.1') };
  }

  const frame = (kind: MeshKindValue, id: Uint8Array, seq: number, payload: Uint8Array, exit = 'e') =>
    encodeMeshClientFrame({
      kind,
      tokenOrStatus: 0,
      seq,
      sessionId: id,
      ip: kind === MeshKind.FEC ? 0 : LOCALHOST,
      port: kind === MeshKind.FEC ? 0 : echo!.port,
      exit: kind === MeshKind.FEC ? '' : exit,
      payload,
    });

  it('carries DATA up and replies down through the channel, under the client epoch', async () => {
    const { received, send } = await setup();
    const id = new Uint8Array(randomBytes(8));
    const down: MeshClientFrame[] = [];
    const epoch = 4242;
    const channel = new FecChannel(
      (d) => send(frame(MeshKind.FEC, id, epoch, d)),
      (m) => {
        const d = decodeMeshClientFrame(m);
        if (d.ok) down.push(d.frame);
      },
    );
    send(frame(MeshKind.KEEPALIVE, id, 1, new Uint8Array(0)));
    expect(await waitFor(() => received.length === 1, 2000)).toBe(true);
    expect(received[0]!.tokenOrStatus & (MESH_STATUS_FEC | MESH_STATUS_FEC_HELD)).toBe(MESH_STATUS_FEC);

    for (let i = 0; i < 20; i++)
      channel.send(frame(MeshKind.DATA, id, i, Uint8Array.of(i)), performance.now());
    expect(await waitFor(() => echo!.packets === 20, 2000)).toBe(true);
    const fromEntry = (): MeshClientFrame[] => received.filter((f) => f.kind === MeshKind.FEC);
    expect(await waitFor(() => fromEntry().length >= 20, 2000)).toBe(true);
    expect(fromEntry().every((f) => f.seq === epoch)).toBe(true);
    for (const f of fromEntry()) channel.receive(f.payload, performance.now());
    expect(down.map((f) => f.payload[0])).toEqual([...Array(20).keys()]);
    expect(down.every((f) => f.kind === MeshKind.DATA && f.port === echo!.port)).toBe(true);
    expect(received.some((f) => f.kind === MeshKind.DATA)).toBe(false); // nothing bare

    // The keepalive answer now says the entry holds the session's channel.
    received.length = 0;
    send(frame(MeshKind.KEEPALIVE, id, 2, new Uint8Array(0)));
    expect(await waitFor(() => received.length === 1, 2000)).toBe(true);
    expect(received[0]!.tokenOrStatus & MESH_STATUS_FEC_HELD).toBe(MESH_STATUS_FEC_HELD);

    // A new epoch: a new channel at the entry (its replies carry the new epoch).
    received.length = 0;
    const fresh = new FecChannel(
      (d) => send(frame(MeshKind.FEC, id, epoch + 1, d)),
      () => undefined,
    );
    fresh.send(frame(MeshKind.DATA, id, 20, Uint8Array.of(20)), performance.now());
    expect(await waitFor(() => received.some((f) => f.kind === MeshKind.FEC), 2000)).toBe(true);
    expect(received.filter((f) => f.kind === MeshKind.FEC).every((f) => f.seq === epoch + 1)).toBe(true);
  });

  it('malformed FEC frames and foreign messages inside a channel are counted and dropped, never answered', async () => {
    const { received, send } = await setup();
    const id = new Uint8Array(randomBytes(8));
    const other = new Uint8Array(randomBytes(8));
    // Not a FecLink datagram at all, and truncated ones.
    for (let i = 0; i < 50; i++) {
      const junk = new Uint8Array(randomBytes(1 + (i % 40)));
      junk[0] = 0x10; // a v1 header, or less: never a FecLink v3 datagram
      send(frame(MeshKind.FEC, id, 1, junk));
    }
    // Valid channels delivering a keepalive, a nested FEC frame, and another session's DATA.
    const channel = new FecChannel(
      (d) => send(frame(MeshKind.FEC, id, 2, d)),
      () => undefined,
    );
    const now = performance.now();
    channel.send(frame(MeshKind.KEEPALIVE, id, 1, new Uint8Array(0)), now);
    channel.send(frame(MeshKind.FEC, id, 2, Uint8Array.of(0x30, 0, 0, 0)), now);
    channel.send(frame(MeshKind.DATA, other, 1, Uint8Array.of(1)), now);
    channel.send(Uint8Array.of(1, 2, 3), now);
    const malformed = (): number => relay!.mesh!.stats.drops[MeshDrop.CLIENT_MALFORMED]!;
    expect(await waitFor(() => malformed() >= 54, 3000)).toBe(true);
    expect(
      await metric(relay!, 'lightspeed_mesh_dropped_packets_total', { reason: 'client_malformed' }),
    ).toBe(malformed());
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(0);
    expect(echo!.packets).toBe(0);
    expect(relay!.mesh!.flows().entry).toBe(0);
  });
});
