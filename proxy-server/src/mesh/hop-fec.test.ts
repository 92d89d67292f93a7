/**
 * Hop FEC: the codec, K from the measured loss, and two relays over a seeded 10%-loss mesh hop: with FEC
 * the exit rebuilds lost messages and more round trips complete than with FEC off over the same link.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

import { MeshKind, decodeMeshClientFrame, encodeMeshClientFrame, parseIpv4 } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { describe, expect, it } from 'vitest';

import { HopFecReceiver, HopFecSender, decodeFecMessage, kForLoss } from './hop-fec.js';
import { startMeshLab, waitFor } from '../testing/mesh-lab.js';

describe('hop FEC', () => {
  it('K follows the loss table; off on a clean link', () => {
    expect([0, 0.002, 0.007, 0.02, 0.04, 0.2].map(kForLoss)).toEqual([0, 16, 5, 3, 2, 2]);
  });

  it('rebuilds one lost message per block and never delivers one twice', () => {
    const tx = new HopFecSender();
    const rx = new HopFecReceiver();
    const got: string[] = [];
    const msgs = ['a', 'bb', 'ccc', 'dddd', 'e'].map((t) => new TextEncoder().encode(t));
    const wire = msgs.flatMap((m) => tx.wrap(m, 2));
    const tail = tx.flush();
    if (tail !== null) wire.push(tail);
    // Blocks of 2 + parity: drop the first data message of each block.
    const dropped = wire.filter((_, i) => i % 3 !== 0);
    for (const w of [...dropped, ...dropped]) {
      const m = decodeFecMessage(w)!;
      rx.receive(m, 0, (inner) => got.push(new TextDecoder().decode(inner)));
    }
    expect(got.sort()).toEqual(['a', 'bb', 'ccc', 'dddd', 'e']);
    expect(rx.recovered).toBe(3);
    expect(decodeFecMessage(Uint8Array.of(7, 0, 0, 3, 2, 1))).toBeNull(); // index > k
    expect(decodeFecMessage(Uint8Array.of(7, 0, 0, 0, 0, 1))).toBeNull(); // k = 0
  });

  async function roundTrips(fec: boolean): Promise<{ ok: number; recovered: number }> {
    const lab = await startMeshLab({ nodes: ['a', 'b'], loss: { 'a-b': 0.1 }, probeIntervalMs: 50, fec });
    const echo = await EchoServer.start();
    const sock = createSocket('udp4');
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const a = lab.relay('a').mesh!;
      expect(await waitFor(() => a.reachable('b'))).toBe(true);
      // Let the loss estimate settle (EWMA over probes) so hop FEC has sized itself.
      await new Promise((r) => setTimeout(r, 1500));
      const got = new Set<number>();
      sock.on('message', (m) => {
        const d = decodeMeshClientFrame(m);
        if (d.ok && d.frame.kind === MeshKind.DATA) got.add(d.frame.payload[0]! * 256 + d.frame.payload[1]!);
      });
      const sessionId = new Uint8Array(randomBytes(8));
      const N = 400;
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
      return {
        ok: got.size,
        recovered: lab.relay('a').mesh!.stats.fecRecovered + lab.relay('b').mesh!.stats.fecRecovered,
      };
    } finally {
      sock.close();
      await lab.stop();
      await echo.stop();
    }
  }

  it('over a 10%-loss hop: rebuilt messages, and more round trips than the same link without FEC', async () => {
    const off = await roundTrips(false);
    const on = await roundTrips(true);
    expect(off.recovered).toBe(0);
    expect(on.recovered).toBeGreaterThan(0);
    // 10% each way: about 81% of round trips survive without FEC, about 96% with K = 2.
    expect(on.ok).toBeGreaterThan(off.ok);
  });
});
