/**
 * Hop FEC (FecLink's adaptive v3 on a mesh hop): two ends over a seeded lossy channel in memory — lost
 * messages rebuilt, the receiver's in-band reports moving the sender's loss estimate to the hop's loss —
 * then two relays over the project's userspace lossy link (10% each way): once a probe is lost the hop
 * runs FEC, the exit rebuilds lost messages, the hop reports its loss, and more round trips complete than
 * over the same link with FEC off; on a clean hop session messages go bare.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

import { MeshKind, decodeMeshClientFrame, encodeMeshClientFrame, parseIpv4 } from '@lightspeed/shared';
import { EchoServer, Prng } from '@lightspeed/shared/node';
import { describe, expect, it } from 'vitest';

import { HopFec, MSG_FEC } from './hop-fec.js';
import { startMeshLab, waitFor } from '../testing/mesh-lab.js';

/** Two HopFec ends joined by a channel that drops each message with probability `loss` (seeded). */
function pair(loss: number, seed: number) {
  const rng = new Prng(seed);
  const got: string[] = [];
  let recovered = 0;
  const queue: { to: 'a' | 'b'; m: Uint8Array }[] = [];
  const a: HopFec = new HopFec(
    (m) => queue.push({ to: 'b', m }),
    () => undefined,
  );
  const b: HopFec = new HopFec(
    (m) => queue.push({ to: 'a', m }),
    (inner, rebuilt) => {
      got.push(new TextDecoder().decode(inner));
      if (rebuilt) recovered++;
    },
  );
  const flush = (now: number): void => {
    while (queue.length > 0) {
      const { to, m } = queue.shift()!;
      if (rng.chance(loss)) continue;
      expect((to === 'a' ? a : b).receive(m, now)).toBe(true);
    }
  };
  return { a, b, got, flush, recovered: () => recovered };
}

describe('hop FEC', () => {
  it('rebuilds lost messages, never delivers one twice, and the reports carry the hop loss back', () => {
    const p = pair(0.1, 7);
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const now = i * 5;
      p.a.send(new TextEncoder().encode(`m${i}`), now);
      p.flush(now);
      if (i % 20 === 0) {
        p.b.tick(now); // the receiver's report (every 500 ms)
        p.flush(now);
      }
    }
    expect(new Set(p.got).size).toBe(p.got.length);
    expect(p.recovered()).toBeGreaterThan(100);
    // 10% loss raw: FEC must bring the delivered share well above 90%.
    expect(p.got.length / N).toBeGreaterThan(0.97);
    // Started at the assumed 3%; the reports moved it to about the hop's 10%.
    const est = p.a.reportedLoss!;
    expect(est).toBeGreaterThan(0.06);
    expect(est).toBeLessThan(0.15);
    expect(p.a.stats().repairs).toBeGreaterThan(0);
  });

  it('on a clean hop the reports bring the repair rate down to its floor', () => {
    const p = pair(0, 1);
    for (let i = 0; i < 3000; i++) {
      p.a.send(Uint8Array.of(i & 0xff, 1, 2, 3), i * 5);
      p.flush(i * 5);
      if (i % 20 === 0) {
        p.b.tick(i * 5);
        p.flush(i * 5);
      }
    }
    expect(p.a.reportedLoss!).toBeLessThan(0.005);
    // The floor is 4% of sources (plus the blind start at the assumed loss).
    expect(p.a.stats().repairs / 3000).toBeLessThan(0.1);
    expect(p.recovered()).toBe(0);
  });

  it('malformed type-7 messages are refused, not delivered and not thrown on', () => {
    const got: Uint8Array[] = [];
    const h = new HopFec(
      () => undefined,
      (m) => got.push(m),
    );
    for (const bad of [
      Uint8Array.of(MSG_FEC),
      Uint8Array.of(MSG_FEC, 0x20, 0, 0, 1),
      Uint8Array.of(MSG_FEC, 0x38, 0, 0, 1, 0, 0, 0xff, 0xff), // repair with a reserved key bit
      Uint8Array.of(8, 0x30, ...new Uint8Array(23)),
      new Uint8Array(randomBytes(40)),
    ])
      h.receive(bad, 0);
    expect(got).toEqual([]);
    expect(h.receive(Uint8Array.of(MSG_FEC, 0x31, ...new Uint8Array(30)), 0)).toBe(false);
  });

  async function roundTrips(fec: boolean, loss = 0.1) {
    const lab = await startMeshLab({
      nodes: ['a', 'b'],
      ...(loss > 0 && { loss: { 'a-b': loss } }),
      probeIntervalMs: 50,
      fec,
    });
    const echo = await EchoServer.start();
    const sock = createSocket('udp4');
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const a = lab.relay('a').mesh!;
      const b = lab.relay('b').mesh!;
      expect(await waitFor(() => a.reachable('b'))).toBe(true);
      // Hop FEC starts when the hop shows loss (a lost probe): wait until both ends have seen one.
      if (loss > 0) expect(await waitFor(() => a.links()[0]!.loss > 0 && b.links()[0]!.loss > 0)).toBe(true);
      const got = new Set<number>();
      sock.on('message', (m) => {
        const d = decodeMeshClientFrame(m);
        if (d.ok && d.frame.kind === MeshKind.DATA) got.add(d.frame.payload[0]! * 256 + d.frame.payload[1]!);
      });
      const sessionId = new Uint8Array(randomBytes(8));
      const N = 600;
      for (let i = 0; i < N; i++) {
        const frame = encodeMeshClientFrame({
          kind: MeshKind.DATA,
          tokenOrStatus: 0,
          seq: i,
          sessionId,
          ip: parseIpv4('127.0.0.1')!,
          port: echo.port,
          exit: 'b',
          payload: Uint8Array.of(i >> 8, i & 0xff, 1, 2, 3, 4),
        });
        sock.send(frame, lab.relay('a').dataPort, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 500));
      const links = [...a.links(), ...b.links()];
      return {
        ok: got.size,
        recovered: a.stats.fecRecovered + b.stats.fecRecovered,
        reportedLoss: Math.max(...links.map((l) => l.fec_loss)),
        repairs: a.fecRepairs() + b.fecRepairs(),
      };
    } finally {
      sock.close();
      await lab.stop();
      await echo.stop();
    }
  }

  it('over a 10%-loss mesh hop: rebuilt messages, the loss reported, more round trips than without FEC', async () => {
    const off = await roundTrips(false);
    const on = await roundTrips(true);
    expect(off.recovered).toBe(0);
    expect(on.recovered).toBeGreaterThan(0);
    // The receiving ends reported the hop's loss in-band (the estimate left the assumed 3%).
    expect(on.reportedLoss).toBeGreaterThan(0.05);
    // 10% each way: about 81% of round trips survive without FEC.
    expect(on.ok).toBeGreaterThan(off.ok);
    expect(on.ok / 600).toBeGreaterThan(0.9);
  }, 30_000);

  it('on a clean hop session messages go bare: no repairs, nothing lost', async () => {
    const clean = await roundTrips(true, 0);
    expect(clean.repairs).toBe(0);
    expect(clean.ok).toBe(600);
  }, 30_000);
});
