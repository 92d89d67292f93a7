/**
 * The mesh frame: messages round-trip, the decoders never throw on random or mutated input, and whatever
 * they accept re-encodes to the same bytes. Sealing: a frame opens only with the right key, once.
 */
import { randomBytes } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MeshSealer, ReplayWindow, directionKey, openFrame, randomPrefix } from './mesh-crypto.js';
import {
  MsgType,
  decodeEnvelope,
  decodeMessage,
  encodeMessage,
  makeNonce,
  nonceCounter,
  type MeshMessage,
} from './mesh-frame.js';

const id = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const sid = fc.uint8Array({ minLength: 8, maxLength: 8 });
const payload = fc.uint8Array({ maxLength: 300 });

const message: fc.Arbitrary<MeshMessage> = fc.oneof(
  fc.record({
    type: fc.constantFrom(MsgType.PING, MsgType.PONG),
    seq: u32,
    time: fc.double({ noNaN: true, noDefaultInfinity: true }),
  }),
  fc.record({
    type: fc.constant(MsgType.LSA),
    origin: id,
    lsaSeq: u32,
    entries: fc.array(fc.record({ peer: id, rttUs: u32, lossBp: fc.integer({ min: 0, max: 10000 }) }), {
      maxLength: 8,
    }),
  }),
  fc.record({
    type: fc.constant(MsgType.DATA),
    sessionId: sid,
    ttl: fc.integer({ min: 0, max: 255 }),
    seq: u16,
    ip: u32,
    port: u16,
    entry: id,
    exit: id,
    payload,
  }),
  fc.record({
    type: fc.constant(MsgType.REPLY),
    sessionId: sid,
    ttl: fc.integer({ min: 0, max: 255 }),
    seq: u16,
    ip: u32,
    port: u16,
    entry: id,
    payload,
  }),
  fc.record({
    type: fc.constant(MsgType.FIN),
    sessionId: sid,
    ttl: fc.integer({ min: 0, max: 255 }),
    exit: id,
  }),
  fc.record({
    type: fc.constant(MsgType.LEG_QUERY),
    ttl: fc.integer({ min: 0, max: 255 }),
    from: id,
    to: id,
    ip: u32,
    port: u16,
  }),
  fc.record({
    type: fc.constant(MsgType.LEG_ANSWER),
    ttl: fc.integer({ min: 0, max: 255 }),
    from: id,
    to: id,
    ip: u32,
    port: u16,
    legUs: u32,
    region: id,
  }),
);

function mutated(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc
      .record({
        seed: seeds,
        cut: fc.nat(400),
        edits: fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      })
      .map(({ seed, cut, edits }) => {
        const out = seed.slice(0, Math.min(seed.length, cut));
        for (const [at, v] of edits) if (at < out.length) out[at] = v;
        return out;
      }),
  );
}

describe('mesh message codec', () => {
  it('every message round-trips', () => {
    fc.assert(
      fc.property(message, (m) => {
        const decoded = decodeMessage(encodeMessage(m));
        expect(decoded).not.toBeNull();
        expect(encodeMessage(decoded!)).toEqual(encodeMessage(m));
        if (m.type === MsgType.PING || m.type === MsgType.PONG) expect(decoded).toEqual(m);
      }),
      { numRuns: 5000 },
    );
  });

  it('fuzz: 50,000 random or mutated inputs never throw; accepted bytes re-encode identically', () => {
    fc.assert(
      fc.property(mutated(message.map(encodeMessage)), (bytes) => {
        const m = decodeMessage(bytes);
        if (m !== null) expect(encodeMessage(m)).toEqual(bytes);
      }),
      { numRuns: 50_000 },
    );
  });

  it('rejects an empty id, an oversize LSA and trailing bytes after fixed-size messages', () => {
    const ping = encodeMessage({ type: MsgType.PING, seq: 1, time: 2 });
    expect(decodeMessage(Uint8Array.of(...ping, 0))).toBeNull();
    expect(decodeMessage(Uint8Array.of(MsgType.FIN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0))).toBeNull();
    expect(decodeMessage(Uint8Array.of(MsgType.LSA, 1, 0x61, 0, 0, 0, 1, 65))).toBeNull();
    expect(decodeMessage(Uint8Array.of(99))).toBeNull();
    expect(() =>
      encodeMessage({ type: MsgType.FIN, sessionId: new Uint8Array(8), ttl: 1, exit: '' }),
    ).toThrow(RangeError);
  });

  it('nonce counter round-trips up to 2^53 and refuses beyond', () => {
    const prefix = Uint8Array.of(1, 2, 3, 4);
    for (const c of [0, 1, 0xffffffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
      expect(nonceCounter(makeNonce(prefix, c))).toBe(c);
    }
    const big = makeNonce(prefix, 0);
    big[4] = 0xff;
    expect(nonceCounter(big)).toBe(-1);
  });
});

describe('sealed frames', () => {
  const psk = randomBytes(32);
  const keyAB = directionKey(psk, 'a', 'b');
  const sealer = (key = keyAB, epoch = 1000): MeshSealer => new MeshSealer(key, 'a', epoch, randomPrefix());
  const open = (frame: Uint8Array, window = new ReplayWindow(), key = keyAB) =>
    openFrame(
      frame,
      (s) => (s === 'a' ? key : undefined),
      () => window,
    );
  const ping = encodeMessage({ type: MsgType.PING, seq: 7, time: 1.5 });

  it('opens with the right key, once', () => {
    const w = new ReplayWindow();
    const frame = sealer().seal(ping);
    const first = open(frame, w);
    expect(first.ok && decodeMessage(first.plaintext)).toEqual({ type: MsgType.PING, seq: 7, time: 1.5 });
    expect(open(frame, w)).toEqual({ ok: false, reason: 'replay' });
  });

  it('the two directions of a pair use different keys', () => {
    expect(directionKey(psk, 'a', 'b').equals(directionKey(psk, 'b', 'a'))).toBe(false);
    const reversed = new MeshSealer(directionKey(psk, 'b', 'a'), 'a', 1, randomPrefix()).seal(ping);
    expect(open(reversed)).toEqual({ ok: false, reason: 'auth' });
  });

  it('any single flipped bit fails authentication (header, ciphertext or tag)', () => {
    const frame = sealer().seal(ping);
    fc.assert(
      fc.property(fc.nat(frame.length * 8 - 1), (bit) => {
        const t = Uint8Array.from(frame);
        t[bit >> 3]! ^= 1 << (bit & 7);
        const r = open(t);
        expect(r.ok).toBe(false);
      }),
      { numRuns: frame.length * 8 },
    );
  });

  it('a wrong key and an unknown sender are refused', () => {
    expect(open(sealer(directionKey(randomBytes(32), 'a', 'b')).seal(ping))).toEqual({
      ok: false,
      reason: 'auth',
    });
    const other = new MeshSealer(keyAB, 'zz', 1, randomPrefix()).seal(ping);
    expect(open(other)).toEqual({ ok: false, reason: 'unknown-peer' });
  });

  it('replay window: out of order within 1024 accepted once, older refused, an older epoch refused', () => {
    const w = new ReplayWindow();
    const s = sealer(keyAB, 5000);
    const frames = Array.from({ length: 1100 }, () => s.seal(ping));
    expect(open(frames[1099]!, w).ok).toBe(true);
    expect(open(frames[500]!, w).ok).toBe(true);
    expect(open(frames[500]!, w)).toEqual({ ok: false, reason: 'replay' });
    expect(open(frames[10]!, w)).toEqual({ ok: false, reason: 'replay' }); // 1089 behind
    const restarted = sealer(keyAB, 6000);
    expect(open(restarted.seal(ping), w).ok).toBe(true);
    expect(open(frames[1098]!, w)).toEqual({ ok: false, reason: 'replay' }); // previous epoch
    const env = decodeEnvelope(frames[0]!);
    expect(env?.sender).toBe('a');
    expect(env?.epoch).toBe(5000);
  });

  it('fuzz: random and mutated frames never throw and never open', () => {
    const s = sealer();
    const w = new ReplayWindow();
    fc.assert(
      fc.property(mutated(message.map((m) => s.seal(encodeMessage(m)))), (bytes) => {
        decodeEnvelope(bytes);
        const r = open(bytes, w);
        // A seed cut to its full length with no effective edit is a genuine frame: it may open once.
        if (r.ok) expect(decodeMessage(r.plaintext)).not.toBeNull();
      }),
      { numRuns: 10_000 },
    );
  });
});
