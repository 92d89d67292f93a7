/**
 * Hop FEC across peer restarts (issue #13): one long-lived mesh session through entry `a` to exit `b` over
 * a lossy hop (so the hop runs FEC), with `a` restarted three times (same node id, keys and mesh port).
 * A restarted node's hop FEC starts its source ids again from 0; the exit must take that as a new stream
 * (the peer's new authenticated epoch), not as duplicates of the previous run's ids — which once made
 * every DATA after the second restart vanish at the exit with no drop counted.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

import { MeshKind, decodeMeshClientFrame, encodeMeshClientFrame, parseIpv4 } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { describe, expect, it } from 'vitest';

import { startMeshLab, waitFor } from '../testing/mesh-lab.js';

describe('hop FEC after a peer restarts', () => {
  it('a session through an entry restarted three times keeps getting through its exit', async () => {
    const lab = await startMeshLab({ nodes: ['a', 'b'], loss: { 'a-b': 0.05 }, probeIntervalMs: 50 });
    const echo = await EchoServer.start();
    const sock = createSocket('udp4');
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const got = new Set<number>();
      sock.on('message', (m) => {
        const d = decodeMeshClientFrame(m);
        if (d.ok && d.frame.kind === MeshKind.DATA) got.add(d.frame.payload[0]! * 256 + d.frame.payload[1]!);
      });
      const sessionId = new Uint8Array(randomBytes(8));
      const N = 300;
      const delivered: number[] = [];
      let next = 0;
      for (let phase = 0; phase < 4; phase++) {
        if (phase > 0) await lab.restart('a');
        const a = lab.relay('a').mesh!;
        expect(await waitFor(() => a.reachable('b'))).toBe(true);
        // The entry sends through hop FEC once it has seen the hop lose a probe.
        expect(await waitFor(() => a.links()[0]!.loss > 0)).toBe(true);
        const first = next;
        for (let i = 0; i < N; i++, next++) {
          const frame = encodeMeshClientFrame({
            kind: MeshKind.DATA,
            tokenOrStatus: 0,
            seq: next,
            sessionId,
            ip: parseIpv4('127.0.0.1')!,
            port: echo.port,
            exit: 'b',
            payload: Uint8Array.of(next >> 8, next & 0xff, 1, 2, 3, 4),
          });
          sock.send(frame, lab.relay('a').dataPort, '127.0.0.1');
          await new Promise((r) => setTimeout(r, 2));
        }
        await new Promise((r) => setTimeout(r, 400));
        expect(a.fecRepairs()).toBeGreaterThan(0); // this run of the entry did use hop FEC
        let n = 0;
        for (let k = first; k < next; k++) if (got.has(k)) n++;
        delivered.push(n);
      }
      // 5% each way with FEC on both hops' directions: nearly every round trip completes, in every run.
      expect(Math.min(...delivered) / N, `delivered per run: ${delivered.join(', ')}`).toBeGreaterThan(0.85);
    } finally {
      sock.close();
      await lab.stop();
      await echo.stop();
    }
  }, 60_000);
});
