import {
  Flag,
  decodeServerLegAnswer,
  encodeServerLegQuery,
  parseIpv4,
  SERVER_LEG_LEN,
} from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { startEchoServer } from '../testing/udp-echo-server.js';
import { startTestRelay } from '../testing/relay-fixture.js';
import { TunnelClient } from '../testing/tunnel-client.js';
import { ServerLegs, noteLegSend, takeLegSample } from './server-legs.js';
import type { Session } from './session.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('ServerLegs', () => {
  it('answers the median of the recent samples, unknown for an unmeasured or stale server', () => {
    const legs = new ServerLegs();
    expect(legs.answer(1, 2, 0).known).toBe(false);
    for (const ms of [10, 50, 12, 11, 13]) legs.record(1 * 65536 + 2, ms, 1000);
    expect(legs.answer(1, 2, 3000)).toEqual({ known: true, legUs: 12_000, samples: 5, ageS: 2 });
    expect(legs.answer(1, 2, 1000 + 6 * 60_000).known).toBe(false);
    expect(legs.answer(1, 3, 1000).known).toBe(false);
  });
});

describe('request/response timing', () => {
  it('pairs pipelined replies with their requests in order, and forgets sends beyond 16', () => {
    const s = { legSends: null, legHead: 0, legCount: 0 } as unknown as Session;
    expect(takeLegSample(s, 5)).toBeNull();
    for (const t of [0, 20, 40]) noteLegSend(s, t);
    expect([takeLegSample(s, 80), takeLegSample(s, 100), takeLegSample(s, 120)]).toEqual([80, 80, 80]);
    expect(takeLegSample(s, 130)).toBeNull();
    for (let t = 0; t < 20; t++) noteLegSend(s, t);
    expect(takeLegSample(s, 100)).toBe(96); // sends 0..3 were forgotten
  });
});

describe('server-leg query on a real relay', () => {
  it('measures its leg from the session traffic and answers only a client that asks', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    const relay = await startTestRelay();
    cleanup.push(() => relay.stop());
    const client = await TunnelClient.open(relay.dataPort);
    cleanup.push(() => client.close());
    const query = encodeServerLegQuery({ ip: parseIpv4('127.0.0.1')!, port: echo.port });

    // Before any session traffic: known = false, and the reply is exactly as long as the query.
    await client.send(client.v1(query, { flags: Flag.KEEPALIVE, sequence: 1, dstPort: 0 }));
    const [first] = await client.waitFor((p) => p.header.flags === Flag.KEEPALIVE && p.header.sequence === 1);
    expect(first!.raw.length).toBe(20 + SERVER_LEG_LEN);
    expect(decodeServerLegAnswer(first!.payload)?.known).toBe(false);

    for (let i = 0; i < 5; i++) {
      await client.send(client.v1(Buffer.from(`ping-${i}`), { dstPort: echo.port }));
      await client.waitFor((p) => p.header.flags === 0 && p.payload.toString() === `ping-${i}`);
    }
    await client.send(client.v1(query, { flags: Flag.KEEPALIVE, sequence: 2, dstPort: 0 }));
    const [second] = await client.waitFor(
      (p) => p.header.flags === Flag.KEEPALIVE && p.header.sequence === 2,
    );
    const answer = decodeServerLegAnswer(second!.payload);
    expect(answer).toMatchObject({ known: true, samples: 5 });

    // A plain keepalive (what deployed clients send) still gets the bare 20-byte reply.
    await client.send(client.v1(new Uint8Array(0), { flags: Flag.KEEPALIVE, sequence: 3, dstPort: 0 }));
    const [plain] = await client.waitFor((p) => p.header.flags === Flag.KEEPALIVE && p.header.sequence === 3);
    expect(plain!.raw.length).toBe(20);
  });
});
