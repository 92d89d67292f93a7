import { createSocket, type RemoteInfo } from 'node:dgram';

import { Flag } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import type { SessionAuthority } from '../auth/session-authority.js';
import { drops, startTestRelay, waitUntil } from '../testing/relay-fixture.js';
import { TunnelClient, type ReceivedPacket } from '../testing/tunnel-client.js';
import { startEchoServer, type EchoServer } from '../testing/udp-echo-server.js';
import type { Relay } from './start-relay.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function echoServer(transform?: (msg: Buffer) => Buffer): Promise<EchoServer> {
  const echo = await startEchoServer(0, transform);
  cleanup.push(() => echo.close());
  return echo;
}

async function relayWith(
  overrides: Parameters<typeof startTestRelay>[0],
  authority?: SessionAuthority,
): Promise<Relay> {
  const relay = await startTestRelay(overrides, authority);
  cleanup.push(() => relay.stop());
  return relay;
}

async function client(relay: Relay): Promise<TunnelClient> {
  const c = await TunnelClient.open(relay.dataPort);
  cleanup.push(() => c.close());
  return c;
}

const isData = (p: ReceivedPacket): boolean => p.header.flags === 0;
const payload = Buffer.alloc(200, 7);

/** A small real authority: the tokens the control plane would have handed out, per IP. */
class TableAuthority implements SessionAuthority {
  readonly ended: string[] = [];
  constructor(private readonly granted: Map<string, number>) {}
  authorize(ip: string, token: number): boolean {
    return this.granted.get(ip) === token;
  }
  sessionEnded(ip: string, token: number): void {
    this.ended.push(`${ip}/${token}`);
  }
}

describe('destination policy', () => {
  it('refuses loopback destinations unless allow-listed', async () => {
    const echo = await echoServer();
    const relay = await relayWith({ security: { allow_destinations: [] } });
    const c = await client(relay);
    await c.send(c.v1(payload, { dstPort: echo.port }));
    await c.send(c.v1(payload, { dstIp: '10.1.2.3', dstPort: 9 }));
    await c.send(c.v1(payload, { dstIp: '224.0.0.1', dstPort: 9 }));
    await waitUntil(async () => (await drops(relay, 'destination_refused')) === 3);
    expect(echo.received()).toBe(0);
  });

  it('relays to an allow-listed range', async () => {
    const echo = await echoServer();
    const relay = await relayWith({ security: { allow_destinations: ['127.0.0.0/8'] } });
    const c = await client(relay);
    await c.send(c.v1(payload, { dstPort: echo.port }));
    await c.waitFor(isData);
    expect(await drops(relay, 'destination_refused')).toBe(0);
  });
});

describe('authentication', () => {
  it('with require_auth and no authority relays nothing but still answers keepalives', async () => {
    const echo = await echoServer();
    const relay = await relayWith({ security: { require_auth: true } });
    const c = await client(relay);
    for (let i = 0; i < 5; i++) await c.send(c.v1(payload, { token: i, dstPort: echo.port }));
    await c.send(c.v1(new Uint8Array(0), { flags: Flag.HANDSHAKE, dstPort: echo.port }));
    await c.send(c.v1(new Uint8Array(0), { flags: Flag.KEEPALIVE, sequence: 3, dstPort: 0 }));
    await c.waitFor((p) => p.header.flags === Flag.KEEPALIVE);
    // Every refusal counted (a condition, not a sleep), and still nothing relayed.
    await waitUntil(async () => (await drops(relay, 'unauthenticated')) === 6);
    expect(echo.received()).toBe(0);
    expect(relay.sessionCount()).toBe(0);
    expect(c.packets.filter((p) => p.header.flags !== Flag.KEEPALIVE)).toHaveLength(0);
    expect(await drops(relay, 'unauthenticated')).toBe(6);
  });

  it('with an authority admits the granted token only and reports the session end', async () => {
    const echo = await echoServer();
    const authority = new TableAuthority(new Map([['127.0.0.1', 42]]));
    const relay = await relayWith({ security: { require_auth: true } }, authority);
    const good = await client(relay);
    const bad = await client(relay);
    await bad.send(bad.v1(payload, { token: 41, dstPort: echo.port }));
    await good.send(good.v1(payload, { token: 42, dstPort: echo.port }));
    const [reply] = await good.waitFor(isData);
    expect(reply!.header.token).toBe(0);
    await good.send(good.v1(payload, { token: 7, dstPort: echo.port })); // wrong token on a live session
    await good.send(good.v1(new Uint8Array(0), { flags: Flag.FIN, token: 42, dstPort: 0 }));
    await good.waitFor((p) => p.header.flags === Flag.FIN);
    expect(echo.received()).toBe(1);
    expect(await drops(relay, 'unauthenticated')).toBe(2);
    expect(authority.ended).toEqual(['127.0.0.1/42']);
  });
});

describe('limits', () => {
  it('enforces the per-client packets/s bucket', async () => {
    const echo = await echoServer();
    const relay = await relayWith({ rate_limit: { pps: 20 } });
    const c = await client(relay);
    await Promise.all(
      Array.from({ length: 100 }, () => c.send(c.v1(Buffer.alloc(10), { dstPort: echo.port }))),
    );
    // All 100 accounted for: relayed (echoed) or counted as rate-limited.
    await waitUntil(async () => echo.received() + (await drops(relay, 'rate_limited')) === 100);
    const passed = echo.received();
    expect(passed).toBeGreaterThanOrEqual(20);
    expect(passed).toBeLessThan(40); // 20 of burst plus what refills while the 100 are handled
    expect(await drops(relay, 'rate_limited')).toBe(100 - passed);
  });

  it('enforces the per-client bytes/s bucket', async () => {
    const echo = await echoServer();
    const relay = await relayWith({ rate_limit: { bps: 2200 } });
    const c = await client(relay);
    await Promise.all(Array.from({ length: 50 }, () => c.send(c.v1(payload, { dstPort: echo.port }))));
    await waitUntil(async () => echo.received() + (await drops(relay, 'rate_limited')) === 50);
    expect(echo.received()).toBeGreaterThanOrEqual(10); // 2200 bytes = 10 packets of 220
    expect(echo.received()).toBeLessThan(15);
    expect(await drops(relay, 'rate_limited')).toBe(50 - echo.received());
  });

  it('caps sessions in total and per IP', async () => {
    const echo = await echoServer();
    const perIp = await relayWith({ security: { max_sessions_per_ip: 2 } });
    const clients = [await client(perIp), await client(perIp), await client(perIp)];
    for (const c of clients) await c.send(c.v1(payload, { dstPort: echo.port }));
    await clients[0]!.waitFor(isData);
    await clients[1]!.waitFor(isData);
    await waitUntil(async () => (await drops(perIp, 'ip_session_limit')) === 1);
    expect(perIp.sessionCount()).toBe(2);
    expect(clients[2]!.packets).toHaveLength(0);
    expect(await drops(perIp, 'ip_session_limit')).toBe(1);

    const total = await relayWith({ security: { max_sessions: 1 } });
    const a = await client(total);
    const b = await client(total);
    await a.send(a.v1(payload, { dstPort: echo.port }));
    await b.send(b.v1(payload, { dstPort: echo.port }));
    await a.waitFor(isData);
    await waitUntil(async () => (await drops(total, 'session_limit')) === 1);
    expect(total.sessionCount()).toBe(1);
    expect(await drops(total, 'session_limit')).toBe(1);
  });
});

describe('anti-amplification and anti-reflection', () => {
  it('never sends a client more than it sent until the game server has answered', async () => {
    const big = Buffer.alloc(1000, 1);
    const echo = await echoServer(() => big); // answers every request with 1000 bytes
    const relay = await relayWith({});
    const c = await client(relay);
    // 220 bytes in per request; the 1020-byte reply fits only once 5 requests (1100 bytes) were received.
    for (let i = 1; i <= 4; i++) {
      await c.send(c.v1(payload, { dstPort: echo.port }));
      await waitUntil(async () => (await drops(relay, 'amplification')) === i);
    }
    expect(c.packets).toHaveLength(0);
    await c.send(c.v1(payload, { dstPort: echo.port }));
    await c.waitFor(isData);
    // Once answered, replies flow normally.
    await c.send(c.v1(payload, { dstPort: echo.port }));
    await c.waitFor(isData, 2);
    expect(await drops(relay, 'amplification')).toBe(4);
  });

  it('caps distinct destinations per client per window', async () => {
    const echoes = await Promise.all(Array.from({ length: 5 }, () => echoServer()));
    const relay = await relayWith({ security: { max_destinations_per_client: 3, destination_window_s: 60 } });
    const c = await client(relay);
    for (const e of echoes) await c.send(c.v1(payload, { dstPort: e.port }));
    await c.waitFor(isData, 3);
    await waitUntil(async () => (await drops(relay, 'reflection')) === 2);
    expect(echoes.map((e) => e.received())).toEqual([1, 1, 1, 0, 0]);
    expect(await drops(relay, 'reflection')).toBe(2);
    // Going back to a destination already used in the window is fine.
    await c.send(c.v1(payload, { dstPort: echoes[0]!.port }));
    await c.waitFor(isData, 4);
  });

  it('opens the destination budget again in the next window', async () => {
    const [a, b] = await Promise.all([echoServer(), echoServer()]);
    const relay = await relayWith({
      security: { max_destinations_per_client: 1, destination_window_s: 0.2 },
    });
    const c = await client(relay);
    await c.send(c.v1(payload, { dstPort: a.port }));
    await c.send(c.v1(payload, { dstPort: b.port }));
    await c.waitFor(isData);
    await waitUntil(async () => (await drops(relay, 'reflection')) === 1);
    expect(b.received()).toBe(0);
    await TunnelClient.sleep(250);
    await c.send(c.v1(payload, { dstPort: b.port }));
    await c.waitFor(isData, 2);
    expect(b.received()).toBe(1);
  });

  it('drops packets to a session upstream port from hosts the session never contacted', async () => {
    let upstream: RemoteInfo | undefined;
    const echo = await echoServer();
    echo.socket.on('message', (_m, rinfo) => (upstream = rinfo));
    const relay = await relayWith({});
    const c = await client(relay);
    await c.send(c.v1(payload, { dstPort: echo.port }));
    await c.waitFor(isData);
    const intruder = createSocket('udp4');
    cleanup.push(() => new Promise((resolve) => intruder.close(() => resolve())));
    await new Promise<void>((resolve) =>
      intruder.send('spoofed', upstream!.port, '127.0.0.1', () => resolve()),
    );
    await waitUntil(async () => (await drops(relay, 'unsolicited')) === 1);
    expect(c.packets).toHaveLength(1);
    expect(await drops(relay, 'unsolicited')).toBe(1);
  });
});
