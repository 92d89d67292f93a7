/**
 * Garbage cannot churn sessions: a FIN only ends a session that has carried valid traffic, and session
 * creation per source IP is a token bucket (security.session_rate_per_ip / session_burst_per_ip).
 */
import { Flag } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import type { Relay } from './start-relay.js';
import { drops, metric, startTestRelay, waitUntil } from '../testing/relay-fixture.js';
import { TunnelClient } from '../testing/tunnel-client.js';
import { startEchoServer } from '../testing/udp-echo-server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function relayWith(overrides: Parameters<typeof startTestRelay>[0]): Promise<Relay> {
  const relay = await startTestRelay(overrides);
  cleanup.push(() => relay.stop());
  return relay;
}

async function client(relay: Relay): Promise<TunnelClient> {
  const c = await TunnelClient.open(relay.dataPort);
  cleanup.push(() => c.close());
  return c;
}

/** Waits until the relay has read `n` client datagrams (so every counter below is final). */
const received = (relay: Relay, n: number): Promise<void> =>
  waitUntil(
    async () => (await metric(relay, 'lightspeed_relay_packets_total', { direction: 'client_in' })) >= n,
    10_000,
  );

describe('session churn', () => {
  it('a garbage stream with FINs from one socket creates one session, not one per FIN', async () => {
    const relay = await relayWith({});
    const c = await client(relay);
    const pairs = 1000;
    for (let i = 0; i < pairs; i++) {
      // A valid-looking header to a refused destination (never forwarded), then a FIN.
      void c.send(c.v1(Buffer.from('garbage'), { dstIp: '10.1.2.3', dstPort: 9 }));
      void c.send(c.v1(new Uint8Array(0), { flags: Flag.FIN, dstPort: 0 }));
      if (i % 100 === 99) await TunnelClient.sleep(5);
    }
    await received(relay, 2 * pairs);
    expect(await metric(relay, 'lightspeed_relay_sessions_created_total')).toBe(1);
    expect(await drops(relay, 'fin_without_traffic')).toBe(pairs);
    expect(await drops(relay, 'destination_refused')).toBe(pairs);
    expect(relay.sessionCount()).toBe(1);
  });

  it('caps session creation per source IP even for churn with valid traffic, and counts refusals', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    const relay = await relayWith({ security: { session_rate_per_ip: 1, session_burst_per_ip: 4 } });
    const c = await client(relay);
    const pairs = 400;
    const t0 = performance.now();
    for (let i = 0; i < pairs; i++) {
      // Valid data (forwarded to the echo server), so the FIN legitimately ends the session each time.
      void c.send(c.v1(Buffer.from('hello'), { dstPort: echo.port }));
      void c.send(c.v1(new Uint8Array(0), { flags: Flag.FIN, dstPort: 0 }));
      if (i % 100 === 99) await TunnelClient.sleep(5);
    }
    await received(relay, 2 * pairs);
    const elapsedS = (performance.now() - t0) / 1000;
    const created = await metric(relay, 'lightspeed_relay_sessions_created_total');
    // The limiter's worth: the burst plus the refill over the time the stream lasted.
    expect(created).toBeGreaterThanOrEqual(4);
    expect(created).toBeLessThanOrEqual(4 + Math.ceil(elapsedS * 1));
    const refused = await drops(relay, 'session_rate_limited');
    expect(refused).toBe(pairs - created);
    expect(await metric(relay, 'lightspeed_relay_sessions_refused_total')).toBe(refused);
  });

  it('a session that carried traffic still ends on FIN; other sources keep their own budget', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    const relay = await relayWith({ security: { session_rate_per_ip: 1, session_burst_per_ip: 1 } });
    const a = await client(relay);
    await a.send(a.v1(Buffer.from('x'), { dstPort: echo.port }));
    await a.waitFor((p) => p.header.flags === 0);
    await a.send(a.v1(new Uint8Array(0), { flags: Flag.FIN, dstPort: 0 }));
    await a.waitFor((p) => p.header.flags === Flag.FIN);
    expect(relay.sessionCount()).toBe(0);
    // The same IP (127.0.0.1) has spent its burst of 1: a new socket is refused for now.
    const b = await client(relay);
    await b.send(b.v1(Buffer.from('y'), { dstPort: echo.port }));
    await waitUntil(async () => (await drops(relay, 'session_rate_limited')) === 1);
    expect(relay.sessionCount()).toBe(0);
    expect(await metric(relay, 'lightspeed_relay_sessions_created_total')).toBe(1);
  });
});
