/**
 * Whatever comes back from the network is counted and dropped when malformed, never thrown: a "relay" that
 * answers every packet with fuzzed datagrams (random bytes and mutated valid headers) must leave the
 * engine running, with the garbage counted.
 */
import dgram from 'node:dgram';

import { Flag, encodeHeader, keepaliveHeader } from '@lightspeed/shared';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from './index.js';
import { waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function validReply(version: 1 | 2): Buffer {
  const buf = Buffer.alloc(version === 2 ? 24 + 16 : 20 + 16);
  const base = { ...keepaliveHeader(0, 0), flags: 0 };
  encodeHeader(version === 2 ? { ...base, version: 2, fec: { blockId: 1, index: 0, k: 4 } } : base, buf);
  return buf;
}

describe('hostile relay', () => {
  for (const fecK of [0, 4]) {
    it(`fuzzed replies are counted and dropped, the engine keeps running (fecK=${fecK})`, async () => {
      const echo = await EchoServer.start();
      cleanups.push(() => echo.stop());
      const fuzz = fc.sample(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc
            .tuple(
              fc.constantFrom(1 as const, 2 as const),
              fc.array(fc.tuple(fc.nat(40), fc.nat(255)), { maxLength: 6 }),
            )
            .map(([v, flips]) => {
              const b = validReply(v);
              for (const [at, value] of flips) b[at % b.length] = value;
              return new Uint8Array(b);
            }),
          fc.uint8Array({ minLength: 20, maxLength: 30 }).map((b) => {
            b[0] = (b[0]! & 0x0f) | 0x30; // version 3: always dropped
            return b;
          }),
        ),
        { numRuns: 600, seed: 42 },
      );
      const relay = dgram.createSocket('udp4');
      let i = 0;
      relay.on('message', (msg, rinfo) => {
        // Keepalives are answered properly so the engine stays 'active'; everything else gets garbage.
        if ((msg[0]! & 0x0f) === Flag.KEEPALIVE) {
          const out = Buffer.alloc(20);
          encodeHeader(keepaliveHeader(msg.readUInt16BE(2), 1), out);
          relay.send(out, rinfo.port, rinfo.address);
          return;
        }
        for (let n = 0; n < 5; n++) relay.send(fuzz[i++ % fuzz.length]!, rinfo.port, rinfo.address);
      });
      await new Promise<void>((r) => relay.bind({ address: '127.0.0.1', port: 0 }, () => r()));
      cleanups.push(() => new Promise<void>((r) => relay.close(() => r())));
      const engine = new BoostEngine({ keepaliveMs: 100, statsIntervalMs: 100 });
      await engine.start({
        routes: [{ server: `127.0.0.1:${echo.port}` }],
        relays: [{ host: '127.0.0.1', port: relay.address().port }],
        fecK,
      });
      cleanups.push(() => engine.stop());
      const game = await GameTrafficClient.start({
        target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
        pps: 500,
        count: 200,
      });
      cleanups.push(() => game.close());
      await game.finished();
      await waitFor(() => (engine.getStats()?.malformed ?? 0) > 50, 5000, 'malformed counted');
      await waitFor(() => (engine.getStats()?.packetsUp ?? 0) >= 200, 5000, 'every game packet sent up');
      // A fuzzed FIN may make the engine look for another relay; with this one answering keepalives it stays or comes back.
      await waitFor(() => engine.getState().state === 'active', 5000, 'active');
      // Nothing the hostile relay sent looks like one of our echoes.
      expect(game.stats().received).toBe(0);
    });
  }
});
