import { createSocket } from 'node:dgram';

import { FecDecoder, Flag, formatIpv4, isParity, type HeaderV2 } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { startEchoServer, type EchoServer } from '../testing/udp-echo-server.js';
import { drops, metric, startTestRelay, waitUntil } from '../testing/relay-fixture.js';
import { TunnelClient, type ReceivedPacket } from '../testing/tunnel-client.js';
import type { Relay } from './start-relay.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(overrides: Parameters<typeof startTestRelay>[0] = {}): Promise<{
  relay: Relay;
  echo: EchoServer;
  client: TunnelClient;
}> {
  const echo = await startEchoServer();
  cleanup.push(() => echo.close());
  const relay = await startTestRelay(overrides);
  cleanup.push(() => relay.stop());
  const client = await TunnelClient.open(relay.dataPort);
  cleanup.push(() => client.close());
  return { relay, echo, client };
}

const payloadOf = (i: number, size = 40): Buffer => Buffer.alloc(size, i & 0xff).fill(`packet-${i}-`, 0, 10);
const isData = (p: ReceivedPacket): boolean =>
  p.header.flags === 0 && !(p.header.version === 2 && isParity(p.header.fec));

describe('control packets', () => {
  it('answers a keepalive without a session, like deployed relays', async () => {
    const { relay, client } = await setup();
    await client.send(
      client.v1(new Uint8Array(0), { flags: Flag.KEEPALIVE, token: 9, sequence: 777, dstPort: 0 }),
    );
    const [reply] = await client.waitFor((p) => p.header.flags === Flag.KEEPALIVE);
    expect(reply!.header).toMatchObject({
      version: 1,
      flags: 1,
      token: 9,
      sequence: 777,
      srcIp: 0,
      dstIp: 0,
      srcPort: 0,
      dstPort: 0,
    });
    expect(reply!.payload.length).toBe(0);
    expect(reply!.header.timestampUs).not.toBe(0);
    expect(relay.sessionCount()).toBe(0);
    expect(await metric(relay, 'lightspeed_relay_keepalives_total')).toBe(1);
  });

  it('acknowledges a handshake (flags 0x2, same sequence, token echoed) and creates the session', async () => {
    const { relay, echo, client } = await setup();
    await client.send(
      client.v1(new Uint8Array(0), { flags: Flag.HANDSHAKE, token: 0, sequence: 4242, dstPort: echo.port }),
    );
    const [ack] = await client.waitFor((p) => p.header.flags === Flag.HANDSHAKE);
    expect(ack!.header).toMatchObject({
      version: 1,
      token: 0,
      sequence: 4242,
      dstPort: client.port,
      srcPort: echo.port,
    });
    expect(formatIpv4(ack!.header.dstIp)).toBe('127.0.0.1');
    expect(relay.sessionCount()).toBe(1);
    await TunnelClient.sleep(50);
    expect(echo.received()).toBe(0); // an empty handshake is not forwarded
  });

  it('forwards a handshake payload as data (deployed behaviour) after the ACK', async () => {
    const { relay, echo, client } = await setup();
    await client.send(client.v1(Buffer.from('hello'), { flags: Flag.HANDSHAKE, dstPort: echo.port }));
    await client.waitFor((p) => p.header.flags === Flag.HANDSHAKE);
    await TunnelClient.sleep(50);
    expect(echo.received()).toBe(1);
    // ACK (20) + echoed reply (25) would exceed the 25 bytes received before the server answered.
    expect(await drops(relay, 'amplification')).toBe(1);
    await client.send(client.v1(Buffer.from('again'), { dstPort: echo.port }));
    const [reply] = await client.waitFor(isData);
    expect(reply!.payload.toString()).toBe('again');
  });

  it('answers FIN with FIN and removes the session', async () => {
    const { relay, echo, client } = await setup();
    await client.send(client.v1(Buffer.from('x'), { dstPort: echo.port }));
    await client.waitFor(isData);
    expect(relay.sessionCount()).toBe(1);
    await client.send(client.v1(new Uint8Array(0), { flags: Flag.FIN, sequence: 99, dstPort: 0 }));
    const [fin] = await client.waitFor((p) => p.header.flags === Flag.FIN);
    expect(fin!.header).toMatchObject({ version: 1, sequence: 99, token: 0 });
    expect(relay.sessionCount()).toBe(0);
  });
});

describe('round trips', () => {
  it('relays v1 data and wraps replies (flags 0, token 0, sequence from 0, addresses)', async () => {
    const { relay, echo, client } = await setup();
    for (let i = 0; i < 5; i++) await client.send(client.v1(payloadOf(i), { token: 0, dstPort: echo.port }));
    const replies = await client.waitFor(isData, 5);
    expect(replies.map((r) => r.header.sequence)).toEqual([0, 1, 2, 3, 4]);
    for (const [i, r] of replies.entries()) {
      expect(r.header).toMatchObject({
        version: 1,
        flags: 0,
        token: 0,
        srcPort: echo.port,
        dstPort: client.port,
      });
      expect(formatIpv4(r.header.srcIp)).toBe('127.0.0.1');
      expect(formatIpv4(r.header.dstIp)).toBe('127.0.0.1');
      expect(r.payload).toEqual(payloadOf(i));
    }
    expect(relay.sessionCount()).toBe(1);
    expect(await metric(relay, 'lightspeed_relay_packets_total', { direction: 'server_out' })).toBe(5);
  });

  it('relays v2 data and FEC-encodes replies with the session K', async () => {
    const { echo, client } = await setup();
    const payloads = Array.from({ length: 8 }, (_, i) => payloadOf(i, 20 + i * 7));
    for (const pkt of client.v2Stream(payloads, 4, { dstPort: echo.port })) await client.send(pkt);
    const data = await client.waitFor(isData, 8);
    const parity = await client.waitFor((p) => p.header.version === 2 && isParity(p.header.fec), 2);
    expect(data.map((d) => d.payload)).toEqual(payloads);
    for (const d of data) expect((d.header as HeaderV2).fec.k).toBe(4);
    expect(parity.map((p) => (p.header as HeaderV2).fec)).toEqual([
      { blockId: 0, index: 4, k: 4 },
      { blockId: 1, index: 4, k: 4 },
    ]);
    expect(echo.received()).toBe(8); // parity is consumed by the relay, not forwarded
  });

  it('flushes a partial block parity so a quiet game never waits', async () => {
    const { client, echo } = await setup({ fec: { flush_ms: 5 } });
    await client.send(client.v2(payloadOf(1), { dstPort: echo.port }, { blockId: 0, index: 0, k: 4 }));
    const [parity] = await client.waitFor((p) => p.header.version === 2 && isParity(p.header.fec));
    expect((parity!.header as HeaderV2).fec).toEqual({ blockId: 0, index: 1, k: 1 });
  });
});

describe('FEC recovery', () => {
  it('rebuilds one lost client packet per block and forwards it (client → relay)', async () => {
    const { relay, echo, client } = await setup();
    const payloads = Array.from({ length: 12 }, (_, i) => payloadOf(i, 30 + ((i * 13) % 50)));
    const packets = client.v2Stream(payloads, 4, { dstPort: echo.port });
    // Lose data index 1 of every block (packets are [d0 d1 d2 d3 p] per block).
    const lost = packets.filter((_, i) => i % 5 === 1);
    for (const pkt of packets) if (!lost.includes(pkt)) await client.send(pkt);
    const data = await client.waitFor(isData, 12);
    expect(new Set(data.map((d) => d.payload.toString('hex')))).toEqual(
      new Set(payloads.map((p) => p.toString('hex'))),
    );
    expect(echo.received()).toBe(12);
    expect(await metric(relay, 'lightspeed_relay_fec_recovered_total')).toBe(3);
  });

  it('does not forward a duplicate twice', async () => {
    const { relay, echo, client } = await setup();
    const pkt = client.v2(payloadOf(5), { dstPort: echo.port }, { blockId: 7, index: 0, k: 4 });
    await client.send(pkt);
    await client.send(pkt);
    await client.waitFor(isData);
    await TunnelClient.sleep(50);
    expect(echo.received()).toBe(1);
    expect(await drops(relay, 'duplicate')).toBe(1);
  });

  it('lets the client rebuild one lost reply per block (relay → client)', async () => {
    const { client, echo } = await setup();
    const payloads = Array.from({ length: 12 }, (_, i) => payloadOf(100 + i, 25 + i * 5));
    for (const pkt of client.v2Stream(payloads, 4, { dstPort: echo.port })) await client.send(pkt);
    await client.waitFor(isData, 12);
    await client.waitFor((p) => p.header.version === 2 && isParity(p.header.fec), 3);
    const decoder = new FecDecoder();
    const delivered: string[] = [];
    for (const p of client.packets) {
      const fec = (p.header as HeaderV2).fec;
      if (!isParity(fec) && fec.index === 2) continue; // lost on the way
      const rebuilt = decoder.receive(fec, p.payload, 0);
      if (!isParity(fec)) delivered.push(p.payload.toString('hex'));
      if (rebuilt) delivered.push(Buffer.from(rebuilt.payload).toString('hex'));
    }
    expect(decoder.stats().recovered).toBe(3);
    expect(new Set(delivered)).toEqual(new Set(payloads.map((p) => p.toString('hex'))));
  });
});

describe('sessions', () => {
  it('times out an idle session', async () => {
    const { relay, echo, client } = await setup({ session: { timeout_s: 0.15 } });
    await client.send(client.v1(payloadOf(0), { dstPort: echo.port }));
    await client.waitFor(isData);
    expect(relay.sessionCount()).toBe(1);
    await waitUntil(() => relay.sessionCount() === 0);
    expect(await metric(relay, 'lightspeed_relay_sessions_timed_out_total')).toBe(1);
  });

  it('keeps a session alive while the game server keeps talking (activity in either direction)', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const timers: NodeJS.Timeout[] = [];
    cleanup.push(() => Promise.resolve(timers.forEach(clearInterval)));
    server.on('message', (_msg, rinfo) => {
      // The server streams to the client for a while after a single request.
      timers.push(setInterval(() => server.send('tick', rinfo.port, rinfo.address), 40));
    });
    const relay = await startTestRelay({ session: { timeout_s: 0.4 } });
    cleanup.push(() => relay.stop());
    const client = await TunnelClient.open(relay.dataPort);
    cleanup.push(() => client.close());
    await client.send(client.v1(payloadOf(0), { dstPort: server.address().port }));
    await TunnelClient.sleep(1000); // well past the 0.4 s timeout, kept alive by server → client traffic only
    expect(relay.sessionCount()).toBe(1);
    expect(client.packets.filter(isData).length).toBeGreaterThan(10);
    timers.forEach(clearInterval);
    await waitUntil(() => relay.sessionCount() === 0);
  });

  it('sends FIN to active clients on stop', async () => {
    const { relay, echo, client } = await setup();
    await client.send(client.v1(payloadOf(0), { dstPort: echo.port }));
    await client.waitFor(isData);
    await relay.stop();
    const [fin] = await client.waitFor((p) => p.header.flags === Flag.FIN);
    expect(fin!.header.sequence).toBe(1); // the session's next reply sequence
  });
});
