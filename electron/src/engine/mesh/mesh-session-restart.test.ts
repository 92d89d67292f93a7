/**
 * One long-lived mesh session (FEC on the client leg and, over a lossy e1–x hop, on the mesh hop) while
 * its entry relay is restarted three times with the same node id, keys and ports, the game sending all
 * along (issue #13). Every restarted run of the entry starts new FEC streams — toward the exit and toward
 * the client — whose ids begin again at 0; the exit and the session must take them as new streams. Once
 * each restarted entry has its route again, nearly every round trip completes, as before the first restart.
 */
import dgram from 'node:dgram';

import { parseIpv4 } from '@lightspeed/shared';
import { startMeshLab, type MeshLab } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { MeshSession } from './mesh-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !check()) await sleep(20);
  return check();
}

describe('mesh session across entry restarts', () => {
  let lab: MeshLab | null = null;
  let server: dgram.Socket | null = null;
  let session: MeshSession | null = null;
  afterEach(async () => {
    await session?.close();
    await lab?.stop();
    server?.close();
    session = null;
    lab = null;
    server = null;
  });

  it('restarting the entry three times costs only the restarts: later packets all get through', async () => {
    lab = await startMeshLab({ nodes: ['e1', 'x'], loss: { 'e1-x': 0.03 }, probeIntervalMs: 50 });
    server = dgram.createSocket('udp4');
    const s = server;
    s.on('message', (m, r) => s.send(m, r.port, r.address));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const x = lab.relay('x').mesh!;
    expect(await until(() => x.reachable('e1'))).toBe(true);
    const got = new Set<number>();
    session = new MeshSession({
      entries: [{ name: 'e1', host: '127.0.0.1', port: lab.relay('e1').dataPort }],
      exit: 'x',
      serverIp: parseIpv4('127.0.0.1')!,
      serverPort: s.address().port,
      keepaliveMs: 50,
      // One entry: the session stays with it through its restarts.
      failoverMisses: 1000,
      moveToBetter: false,
      deliver: (p) => got.add(p[0]! * 256 + p[1]!),
    });
    const live = session;
    await live.open();
    await sleep(150); // the keepalive answers say the entry speaks FEC
    // The game never stops sending: a sender in the background, the restarts in between.
    let next = 0;
    let sending = true;
    const sender = (async () => {
      while (sending) {
        live.send(Uint8Array.of(next >> 8, next & 0xff, ...new Uint8Array(40)));
        next = (next + 1) & 0xffff;
        await sleep(4);
      }
    })();
    const window = async (): Promise<number> => {
      // Give the (restarted) entry its route to the exit and its probes a lost one (hop FEC on).
      const e1 = lab!.relay('e1').mesh!;
      expect(await until(() => e1.reachable('x'))).toBe(true);
      await sleep(600);
      const from = next;
      await sleep(800);
      const to = next;
      await sleep(300);
      let n = 0;
      for (let i = from; i < to; i++) if (got.has(i)) n++;
      return n / (to - from);
    };
    const shares: number[] = [await window()];
    for (let k = 0; k < 3; k++) {
      await lab.restart('e1');
      shares.push(await window());
    }
    sending = false;
    await sender;
    expect(Math.min(...shares), `delivered share per run: ${shares.join(', ')}`).toBeGreaterThan(0.9);
  }, 60_000);
});
