/**
 * The relay's side of FEC v3: it accepts the v3 offer, then decodes v3 from the client and answers in
 * v3, with a seeded loss on the client's side of the path both ways. The client here is a `FecLink` on a
 * raw socket — the same FEC path the engine uses.
 */
import { createSocket, type Socket } from 'node:dgram';

import {
  FecLink,
  Flag,
  HEADER_V1_LEN,
  checkTunnelHeader,
  decodeFecNegotiation,
  encodeFecNegotiation,
  encodeHeader,
  parseIpv4,
  writeHeaderFields,
} from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { startEchoServer } from '../testing/udp-echo-server.js';
import { drops, metric, startTestRelay, waitUntil } from '../testing/relay-fixture.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A deterministic "every n-th datagram is lost" pattern: the same on every run. */
const everyNth = (n: number): (() => boolean) => {
  let i = 0;
  return () => ++i % n === 0;
};

async function setup(): Promise<{
  socket: Socket;
  relayPort: number;
  echoPort: number;
  relay: Awaited<ReturnType<typeof startTestRelay>>;
}> {
  const echo = await startEchoServer();
  cleanup.push(() => echo.close());
  const relay = await startTestRelay();
  cleanup.push(() => relay.stop());
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => socket.close(() => r())));
  return { socket, relayPort: relay.dataPort, echoPort: echo.port, relay };
}

describe('relay, FEC v3', () => {
  it('accepts the offer, then carries v3 both ways under loss: every packet comes back once', async () => {
    const { socket, relayPort, echoPort, relay } = await setup();
    const me = parseIpv4('127.0.0.1')!;
    let seq = 0;
    const dropUp = everyNth(20);
    const dropDown = everyNth(25);
    const got = new Map<string, number>();
    let acceptSeen = false;
    const link = new FecLink({
      setting: { kind: 'adaptive', budget: 'balanced' },
      flushMs: 5,
      writeHeader: (buf, version) => {
        writeHeaderFields(buf, 0, version, 0, 0, seq, 0, me, me, socket.address().port, echoPort);
        seq = (seq + 1) & 0xffff;
      },
      emit: (d) => {
        if (!dropUp()) socket.send(d, relayPort, '127.0.0.1');
      },
      deliver: (p) => {
        const k = Buffer.from(p).toString();
        got.set(k, (got.get(k) ?? 0) + 1);
      },
    });
    socket.on('message', (msg) => {
      const v = checkTunnelHeader(msg);
      if (v < 0) return;
      if ((msg[0]! & 0xf) === Flag.HANDSHAKE) {
        acceptSeen = link.onHandshakeAnswer(msg.subarray(HEADER_V1_LEN));
        return;
      }
      if (dropDown()) return;
      if (v === 2 || v === 3) link.receive(msg, v, performance.now());
    });
    // The offer: a v2 K = 4 HANDSHAKE with zeroed addresses, the 8-byte offer as payload.
    const offer = Buffer.alloc(24 + 8);
    encodeHeader(
      {
        version: 2,
        flags: Flag.HANDSHAKE,
        token: 0,
        sequence: seq++,
        timestampUs: 0,
        srcIp: 0,
        dstIp: 0,
        srcPort: 0,
        dstPort: 0,
        fec: { blockId: 0, index: 0, k: 4 },
      },
      offer,
    );
    offer.set(link.offer()!, 24);
    socket.send(offer, relayPort, '127.0.0.1');
    await waitUntil(() => acceptSeen);
    expect(link.version).toBe(3);
    const sent: string[] = [];
    for (let i = 0; i < 300; i++) {
      const p = `game-packet-${i}-`.padEnd(120, '.');
      sent.push(p);
      link.send(Buffer.from(p), performance.now());
      await new Promise((r) => setTimeout(r, 4)); // a game's pace: the repair rate follows it
    }
    // A tail of packets so the last losses get their repairs (the game keeps sending in real life).
    await waitUntil(() => sent.slice(0, 280).every((p) => got.has(p)), 5000);
    for (const p of sent.slice(0, 280)) expect(got.get(p)).toBe(1);
    expect(link.stats().recovered).toBeGreaterThan(5); // losses downstream, rebuilt by the client
    expect(await metric(relay, 'lightspeed_relay_fec_recovered_total')).toBeGreaterThan(5); // and upstream
    expect(await drops(relay, 'malformed')).toBe(0);
  });

  it('answers an offer on a plain session (v1) with a bare ACK: no accept, no forwarding', async () => {
    const { socket, relayPort } = await setup();
    const answers: Buffer[] = [];
    socket.on('message', (m) => answers.push(m));
    const offer = Buffer.alloc(20 + 8);
    encodeHeader(
      {
        version: 1,
        flags: Flag.HANDSHAKE,
        token: 0,
        sequence: 1,
        timestampUs: 0,
        srcIp: 0,
        dstIp: 0,
        srcPort: 0,
        dstPort: 0,
      },
      offer,
    );
    offer.set(encodeFecNegotiation({ version: 3, budget: 'balanced' }), 20);
    socket.send(offer, relayPort, '127.0.0.1');
    await waitUntil(() => answers.length > 0);
    expect(answers[0]!.length).toBe(20);
    expect(decodeFecNegotiation(answers[0]!.subarray(20))).toBeNull();
  });

  it('drops v3 control-flagged packets (no answer can amplify an 8-byte datagram)', async () => {
    const { socket, relayPort, relay } = await setup();
    const answers: Buffer[] = [];
    socket.on('message', (m) => answers.push(m));
    socket.send(Buffer.from([0x39, 0, 0, 1, 0, 0, 0x40, 0]), relayPort, '127.0.0.1');
    await waitUntil(async () => (await drops(relay, 'malformed')) === 1);
    expect(answers).toHaveLength(0);
    expect(relay.sessionCount()).toBe(0);
  });
});
