import { createSocket, type Socket } from 'node:dgram';

import { Flag, isParity } from '@lightspeed/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { drops, metric, startTestRelay } from '../testing/relay-fixture.js';
import { TunnelClient, type ReceivedPacket } from '../testing/tunnel-client.js';
import { startEchoServer, type EchoServer } from '../testing/udp-echo-server.js';
import type { Relay } from './start-relay.js';

const FUZZ_PACKETS = 100_000;
const BATCH = 250;

/** Small deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz', () => {
  let relay: Relay;
  let legitEcho: EchoServer;
  let fuzzEcho: EchoServer;
  let v1Client: TunnelClient;
  let v2Client: TunnelClient;
  const fuzzers: Socket[] = [];

  beforeAll(async () => {
    legitEcho = await startEchoServer();
    fuzzEcho = await startEchoServer();
    relay = await startTestRelay({ fec: { flush_ms: 2 } });
    v1Client = await TunnelClient.open(relay.dataPort);
    v2Client = await TunnelClient.open(relay.dataPort);
    for (let i = 0; i < 4; i++) {
      const s = createSocket('udp4');
      s.on('message', () => undefined);
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      fuzzers.push(s);
    }
  });

  afterAll(async () => {
    await relay?.stop();
    await v1Client?.close();
    await v2Client?.close();
    for (const s of fuzzers) await new Promise<void>((resolve) => s.close(() => resolve()));
    await legitEcho?.close();
    await fuzzEcho?.close();
  });

  it('survives 100,000 random and mutated packets while a v1 and a v2 session lose nothing', async () => {
    const rand = prng(0x5eed);
    const int = (n: number): number => Math.floor(rand() * n);
    const templates = [
      v1Client.v1(Buffer.from('template-v1'), { dstPort: fuzzEcho.port }),
      v1Client.v2(Buffer.from('template-v2'), { dstPort: fuzzEcho.port }, { blockId: 3, index: 1, k: 4 }),
      v1Client.v2(Buffer.alloc(30, 9), { dstPort: fuzzEcho.port }, { blockId: 3, index: 4, k: 4 }),
      v1Client.v1(new Uint8Array(0), { flags: Flag.KEEPALIVE, dstPort: 0 }),
    ];
    const fuzzPacket = (): Buffer => {
      const mode = int(4);
      if (mode === 0) {
        // Pure noise, sometimes with a plausible version nibble.
        const buf = Buffer.alloc(int(80));
        for (let i = 0; i < buf.length; i++) buf[i] = int(256);
        if (buf.length > 0 && rand() < 0.5) buf[0] = ((1 + int(2)) << 4) | int(16);
        return buf;
      }
      const t = templates[int(templates.length)]!;
      let buf: Buffer = Buffer.from(t);
      if (mode === 1) buf = buf.subarray(0, int(buf.length + 1)); // truncation
      const flips = 1 + int(4);
      for (let i = 0; i < flips && buf.length > 0; i++) {
        const at = int(Math.min(buf.length, 24)); // mostly the header, where the parsing is
        buf[at] = rand() < 0.5 ? int(256) : buf[at]! ^ (1 << int(8));
      }
      if (mode === 3) buf = Buffer.concat([buf, Buffer.alloc(int(2100), int(256))]); // oversize payloads
      return buf;
    };

    const v1Sent: string[] = [];
    const v2Sent: string[] = [];
    let fuzzSent = 0;
    let batch = 0;
    while (fuzzSent < FUZZ_PACKETS) {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < BATCH; i++) {
        const s = fuzzers[i % fuzzers.length]!;
        sends.push(
          new Promise((resolve) => s.send(fuzzPacket(), relay.dataPort, '127.0.0.1', () => resolve())),
        );
      }
      fuzzSent += BATCH;
      await Promise.all(sends);
      const p1 = Buffer.from(`v1-${batch}`);
      const p2 = Buffer.from(`v2-${batch}-${'x'.repeat(batch % 40)}`);
      v1Sent.push(p1.toString());
      v2Sent.push(p2.toString());
      await v1Client.send(v1Client.v1(p1, { dstPort: legitEcho.port }));
      for (const pkt of v2Client.v2Stream([p2], 4, { dstPort: legitEcho.port })) await v2Client.send(pkt);
      batch++;
      // Legit replies arriving proves the relay drained the batch before them (one socket, FIFO).
      await v1Client.waitFor((p) => p.header.flags === 0, batch, 5000);
      await v2Client.waitFor((p) => p.header.version === 2 && !isParity(p.header.fec), batch, 5000);
    }

    const dataOf = (c: TunnelClient): string[] =>
      c.packets
        .filter(
          (p: ReceivedPacket) => p.header.flags === 0 && !(p.header.version === 2 && isParity(p.header.fec)),
        )
        .map((p) => p.payload.toString());
    expect(dataOf(v1Client)).toEqual(v1Sent);
    expect(dataOf(v2Client)).toEqual(v2Sent);
    expect(v1Client.undecodable + v2Client.undecodable).toBe(0);
    expect(fuzzSent).toBeGreaterThanOrEqual(100_000);
    expect(
      await metric(relay, 'lightspeed_relay_packets_total', { direction: 'client_in' }),
    ).toBeGreaterThanOrEqual(fuzzSent);
    expect(await drops(relay, 'malformed')).toBeGreaterThan(1000);
    expect(await drops(relay, 'error')).toBe(0); // nothing threw inside the packet path

    // Still healthy: a fresh probe is answered.
    await v1Client.send(
      v1Client.v1(new Uint8Array(0), { flags: Flag.KEEPALIVE, sequence: 31337, dstPort: 0 }),
    );
    await v1Client.waitFor((p) => p.header.flags === Flag.KEEPALIVE && p.header.sequence === 31337);
  }, 120_000);
});
