/**
 * Three mesh relays on loopback, the r1–r3 link slowed by a 60 ms-each-way delay link: routes, data from an
 * entry through the mesh to an exit, entry failover with one source address at the game server, /status.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

import {
  MESH_STATUS_EXIT_REACHABLE,
  MESH_STATUS_FEC,
  MeshKind,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  meshSessionKey,
  parseIpv4,
  type MeshClientFrame,
} from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { metric } from '../testing/relay-fixture.js';
import { startMeshLab, waitFor, type MeshLab } from '../testing/mesh-lab.js';

const TOKEN = 'a-long-enough-admin-token';
const LOCALHOST = parseIpv4('127.0.0.1')!;

class Client {
  readonly socket: Socket = createSocket('udp4');
  readonly received: MeshClientFrame[] = [];
  readonly sessionId = new Uint8Array(randomBytes(8));
  seq = 0;

  async open(): Promise<void> {
    this.socket.on('message', (msg) => {
      const d = decodeMeshClientFrame(msg);
      if (d.ok)
        this.received.push({
          ...d.frame,
          sessionId: Uint8Array.from(d.frame.sessionId),
          payload: Uint8Array.from(d.frame.payload),
        });
    });
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
  }

  send(entryPort: number, kind: number, exit: string, dstPort: number, payload: Uint8Array): void {
    const frame = encodeMeshClientFrame({
      kind: kind as MeshClientFrame['kind'],
      tokenOrStatus: 0,
      seq: this.seq++ & 0xffff,
      sessionId: this.sessionId,
      ip: LOCALHOST,
      port: dstPort,
      exit,
      payload,
    });
    this.socket.send(frame, entryPort, '127.0.0.1');
  }

  data(kind: number = MeshKind.DATA): MeshClientFrame[] {
    return this.received.filter((f) => f.kind === kind);
  }

  close(): void {
    this.socket.close();
  }
}

describe('relay mesh on loopback', () => {
  let lab: MeshLab;
  let echo: EchoServer;

  beforeAll(async () => {
    lab = await startMeshLab({ delays: { 'r1-r3': 60 }, probeIntervalMs: 200, adminToken: TOKEN });
    echo = await EchoServer.start();
  });
  afterAll(async () => {
    await lab?.stop();
    await echo?.stop();
  });

  it("r1's route to r3 goes through r2; every node holds the whole matrix", async () => {
    const r1 = lab.relay('r1').mesh!;
    expect(await waitFor(() => r1.routeTable().r3?.join() === 'r1,r2,r3')).toBe(true);
    expect(Object.keys(r1.matrixTable()).sort()).toEqual(['r1', 'r2', 'r3']);
    // The slow link is measured as slow (60 ms each way, both directions through a delay link) by r2 too,
    // which holds it only from the flooded matrix.
    expect(await waitFor(() => (lab.relay('r2').mesh!.matrixTable().r1?.r3?.rtt_ms ?? 0) >= 120)).toBe(true);
    expect(await waitFor(() => lab.relay('r3').mesh!.routeTable().r1?.join() === 'r3,r2,r1')).toBe(true);
  });

  it('GET /status: 401 without the bearer token; with it, node, peers, matrix and routes', async () => {
    const url = `http://127.0.0.1:${lab.relay('r1').healthPort}/status`;
    // Routes follow live measurements: a loaded machine can briefly make the fast links look slow.
    expect(await waitFor(() => lab.relay('r1').mesh!.routeTable().r3?.join() === 'r1,r2,r3')).toBe(true);
    expect((await fetch(url)).status).toBe(401);
    expect(
      (await fetch(url, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status,
    ).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      node_id: string;
      region: string;
      peers: { node_id: string; rtt_ms: number | null; loss: number; up: boolean }[];
      matrix: Record<string, Record<string, { rtt_ms: number }>>;
      routes: Record<string, string[]>;
      flows: { entry: number; exit: number };
    };
    expect(body.node_id).toBe('r1');
    expect(body.region).toBe('lab-r1');
    expect(body.peers.map((p) => p.node_id).sort()).toEqual(['r2', 'r3']);
    expect(body.peers.every((p) => p.up && p.rtt_ms !== null)).toBe(true);
    expect(body.routes).toEqual({ r1: ['r1'], r2: ['r1', 'r2'], r3: ['r1', 'r2', 'r3'] });
    expect(Object.keys(body.matrix).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(await metric(lab.relay('r1'), 'lightspeed_mesh_link_up', { peer: 'r3' })).toBe(1);
  });

  it('a packet entering at r1 leaves at r3 (via r2) and the reply comes back the same way', async () => {
    const c = new Client();
    await c.open();
    try {
      const r1 = lab.relay('r1');
      const viaR2 = (): boolean =>
        r1.mesh!.routeTable().r3?.join() === 'r1,r2,r3' &&
        lab.relay('r3').mesh!.routeTable().r1?.join() === 'r3,r2,r1';
      expect(await waitFor(viaR2)).toBe(true);
      for (let i = 0; i < 20; i++)
        c.send(r1.dataPort, MeshKind.DATA, 'r3', echo.port, Uint8Array.of(i, 1, 2, 3));
      expect(await waitFor(() => c.data().length === 20, 5000)).toBe(true);
      expect(
        c
          .data()
          .map((f) => f.payload[0])
          .sort((a, b) => a! - b!),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(c.data().every((f) => f.port === echo.port && f.ip === LOCALHOST)).toBe(true);
      const exitPort = lab.relay('r3').mesh!.exitSourcePort(meshSessionKey(c.sessionId));
      expect(echo.peers.has(`127.0.0.1:${exitPort}`)).toBe(true);
      expect(lab.relay('r2').mesh!.stats.transit).toBeGreaterThanOrEqual(40);
      // Keepalives are answered by the entry with "exit reachable", and "speaks client-leg FEC".
      c.send(r1.dataPort, MeshKind.KEEPALIVE, 'r3', 0, new Uint8Array(0));
      c.send(r1.dataPort, MeshKind.KEEPALIVE, 'nowhere', 0, new Uint8Array(0));
      expect(await waitFor(() => c.data(MeshKind.KEEPALIVE).length === 2, 2000)).toBe(true);
      const [a, b] = c.data(MeshKind.KEEPALIVE);
      expect([a!.tokenOrStatus, b!.tokenOrStatus].sort()).toEqual([
        MESH_STATUS_FEC,
        MESH_STATUS_FEC | MESH_STATUS_EXIT_REACHABLE,
      ]);
    } finally {
      c.close();
    }
  });

  it('a deployed-style v1 keepalive still gets the 20-byte answer from a mesh relay', async () => {
    const s = createSocket('udp4');
    const got = new Promise<Buffer>((r) => s.once('message', r));
    const ka = Buffer.from('1100000500 0F4240 0000000000000000 0000000000000000'.replaceAll(' ', ''), 'hex');
    s.send(ka, lab.relay('r2').dataPort, '127.0.0.1');
    const reply = await got;
    s.close();
    expect(reply.length).toBe(20);
    expect(reply.subarray(0, 4)).toEqual(Buffer.from([0x11, 0, 0, 5]));
  });
});

describe('entry failover', () => {
  it('killing the entry mid-session: the client moves to another entry, the server sees one source address', async () => {
    const lab = await startMeshLab({ nodes: ['e1', 'e2', 'x'], probeIntervalMs: 100 });
    const echo = await EchoServer.start();
    const c = new Client();
    await c.open();
    try {
      const x = lab.relay('x').mesh!;
      expect(await waitFor(() => x.reachable('e1') && x.reachable('e2'))).toBe(true);
      let entry = lab.relay('e1').dataPort;
      const send = (i: number): void =>
        c.send(entry, MeshKind.DATA, 'x', echo.port, Uint8Array.of(i & 0xff, i >> 8));
      for (let i = 0; i < 50; i++) {
        send(i);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await waitFor(() => c.data().length === 50, 3000)).toBe(true);
      const before = [...echo.peers];
      await lab.relay('e1').stop();
      entry = lab.relay('e2').dataPort;
      for (let i = 50; i < 100; i++) {
        send(i);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await waitFor(() => c.data().length === 100, 3000)).toBe(true);
      expect(before).toHaveLength(1);
      expect([...echo.peers]).toEqual(before);
      // The exit's reply sequence continues across the entry change: the client sees no restart.
      const seqs = c.data().map((f) => f.seq);
      expect(new Set(seqs).size).toBe(100);
    } finally {
      c.close();
      await lab.stop();
      await echo.stop();
    }
  });
});
