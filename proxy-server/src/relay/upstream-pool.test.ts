import { createSocket, type RemoteInfo } from 'node:dgram';

import { afterEach, describe, expect, it } from 'vitest';

import type { Session } from './session.js';
import { UpstreamPool } from './upstream-pool.js';
import { metric, startTestRelay, waitUntil } from '../testing/relay-fixture.js';
import { TunnelClient } from '../testing/tunnel-client.js';
import { startEchoServer } from '../testing/udp-echo-server.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function pool(host: string, target: number) {
  const got: { s: Session; msg: string; from: RemoteInfo }[] = [];
  const events = { unowned: 0, ready: -1, errors: 0 };
  const p = new UpstreamPool(host, target, {
    onMessage: (s, m, r) => got.push({ s, msg: m.toString(), from: r }),
    onError: () => events.errors++,
    onUnowned: () => events.unowned++,
    onReady: (n) => (events.ready = n),
  });
  cleanup.push(() => p.close());
  return { p, got, events };
}

const session = (key: string): Session => ({ key }) as Session;

describe('UpstreamPool', () => {
  it('binds its target ahead of need, hands sockets out bound, and refills', async () => {
    const { p, got, events } = pool('127.0.0.1', 4);
    expect(p.size).toBe(0);
    p.warm();
    await waitUntil(() => p.size === 4);
    expect(events.ready).toBe(4);
    const a = session('a');
    const sock = p.take(a)!;
    expect(sock.address().port).toBeGreaterThan(0); // already bound when handed out
    expect(p.size).toBe(3);
    await waitUntil(() => p.size === 4);
    // The taken socket delivers to its owner.
    const peer = createSocket('udp4');
    cleanup.push(() => peer.close());
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    peer.send('to a', sock.address().port, '127.0.0.1');
    await waitUntil(() => got.length === 1);
    expect(got[0]!.s).toBe(a);
    expect(got[0]!.msg).toBe('to a');
    expect(events.unowned).toBe(0);
  });

  it('binds on the spot when empty, and returns null when binding is impossible', async () => {
    const { p } = pool('127.0.0.1', 0);
    p.warm();
    const sock = p.take(session('x'));
    expect(sock!.address().port).toBeGreaterThan(0);
    sock!.close();
    // 192.0.2.1 (TEST-NET-1) is not an address of this host: bind fails, nothing is pooled.
    const bad = pool('192.0.2.1', 2);
    bad.p.warm();
    await new Promise((r) => setTimeout(r, 20));
    expect(bad.p.size).toBe(0);
    expect(bad.p.take(session('y'))).toBeNull();
  });
});

describe('relay with an upstream pool', () => {
  it('serves new sessions from the pool without binding on the packet path; pool 0 binds each', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    for (const [size, inline] of [
      [16, 0],
      [0, 8],
    ] as const) {
      const relay = await startTestRelay({ session: { upstream_pool: size } });
      cleanup.push(() => relay.stop());
      await waitUntil(async () => (await metric(relay, 'lightspeed_relay_upstream_pool_ready')) === size);
      const clients = await Promise.all(Array.from({ length: 8 }, () => TunnelClient.open(relay.dataPort)));
      cleanup.push(() => Promise.all(clients.map((c) => c.close())));
      await Promise.all(clients.map((c, i) => c.send(c.v1(Buffer.from(`hi ${i}`), { dstPort: echo.port }))));
      for (const [i, c] of clients.entries()) {
        const [reply] = await c.waitFor((pk) => pk.header.flags === 0);
        expect(reply!.payload.toString()).toBe(`hi ${i}`);
      }
      expect(relay.sessionCount()).toBe(8);
      expect(await metric(relay, 'lightspeed_relay_upstream_bound_inline_total')).toBe(inline);
    }
  });
});
