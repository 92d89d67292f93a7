import { ControlFrameReader, encodeControlFrame, type ControlMessage } from '@lightspeed/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadOrCreateIdentity } from './certificate.js';
import { ControlServer } from './control-server.js';
import { connectRawControl } from './raw-control-client.js';
import { TokenAuthority } from './token-authority.js';

const shortText = fc.string({ maxLength: 40 });
const message: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), timestampUs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({
    type: fc.constant('pong' as const),
    clientTimestampUs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    serverTimestampUs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  }),
  fc.record({ type: fc.constant('register' as const), protocolVersion: fc.nat(255), gameId: fc.nat(255) }),
  fc.record({
    type: fc.constant('register-ack' as const),
    sessionId: fc.nat(0xffffffff),
    token: fc.nat(255),
    nodeId: shortText,
    region: shortText,
  }),
  fc.record({ type: fc.constant('disconnect' as const), reason: fc.nat(255) }),
  fc.record({
    type: fc.constant('server-info' as const),
    load: fc.nat(255),
    activeSessions: fc.nat(0xffffffff),
    capacity: fc.nat(0xffffffff),
  }),
);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (taken modulo the length). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('ControlFrameReader fuzzing', () => {
  it('never throws on random chunks, and stays failed after its first error', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const reader = new ControlFrameReader();
        let failed = false;
        for (const chunk of chunks) {
          const r = reader.push(chunk);
          if (failed) expect(r.ok).toBe(false);
          if (!r.ok) failed = true;
          expect(reader.buffered).toBeLessThanOrEqual(2 + 1024);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('decodes any split of valid frames back to the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (msgs, cuts) => {
          const reader = new ControlFrameReader();
          const out: ControlMessage[] = [];
          for (const chunk of split(concat(msgs.map(encodeControlFrame)), cuts)) {
            const r = reader.push(chunk);
            expect(r.ok).toBe(true);
            out.push(...r.messages);
          }
          expect(out).toEqual(msgs);
          expect(reader.buffered).toBe(0);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('never throws on mutated valid streams (flipped, dropped and inserted bytes)', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'drop', 'insert'),
      value: fc.nat(255),
    });
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (msgs, mutations, cuts) => {
          const bytes = Array.from(concat(msgs.map(encodeControlFrame)));
          for (const m of mutations) {
            const at = m.at % (bytes.length + 1);
            if (m.kind === 'insert') bytes.splice(at, 0, m.value);
            else if (at < bytes.length && m.kind === 'drop') bytes.splice(at, 1);
            else if (at < bytes.length) bytes[at] = bytes[at]! ^ (m.value || 1);
          }
          const reader = new ControlFrameReader();
          for (const chunk of split(Uint8Array.from(bytes), cuts)) {
            const r = reader.push(chunk);
            for (const msg of r.messages) expect(typeof msg.type).toBe('string');
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe('ControlServer fuzzing over real QUIC', () => {
  let server: ControlServer;
  let authority: TokenAuthority;

  beforeAll(async () => {
    authority = new TokenAuthority();
    server = await ControlServer.start(
      {
        identity: await loadOrCreateIdentity({}),
        authority,
        nodeId: 'fuzz',
        region: 'lo',
        rateLimit: { burst: 10_000, perMinute: 10_000 },
      },
      { host: '127.0.0.1', port: 0 },
    );
  });

  afterAll(async () => {
    await server.stop();
  });

  it('survives random and mutated frames, revokes what those clients registered, and keeps answering', async () => {
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      message.map((m) => encodeControlFrame(m)),
      message.map((m) => {
        const b = encodeControlFrame(m);
        b[2] = b[2]! ^ 0x40; // corrupt the type byte (every frame has one)
        return b;
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { minLength: 1, maxLength: 5 }), async (chunks) => {
        const c = await connectRawControl({ host: '127.0.0.1', port: server.port });
        try {
          for (const bytes of chunks) await c.write(bytes).catch(() => {});
          await new Promise((r) => setTimeout(r, 5));
        } finally {
          await c.close();
        }
      }),
      { numRuns: 60 },
    );
    const probe = await connectRawControl({ host: '127.0.0.1', port: server.port });
    try {
      await probe.send({ type: 'ping', timestampUs: 42n });
      expect(await probe.next((m) => m.type === 'pong')).toMatchObject({ clientTimestampUs: 42n });
    } finally {
      await probe.close();
    }
    await expect.poll(() => authority.active).toBe(0);
    await expect.poll(() => server.stats().connectionsActive).toBe(0);
    const malformed = Object.values(server.stats().malformed).reduce((a, b) => a + b, 0);
    expect(malformed).toBeGreaterThan(0);
  });
});
