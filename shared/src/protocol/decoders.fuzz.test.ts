/**
 * Fuzzing of every decoder that reads the network: random, truncated and mutated input must never throw,
 * and whatever a decoder accepts must re-encode to the bytes it read (so acceptance is not luck).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { decodeControlBody, encodeControlBody, encodeControlFrame } from './control.js';
import { ControlFrameReader } from './control-frame-reader.js';
import { FecDecoder } from './fec-decoder.js';
import { HEADER_V2_LEN, checkHeader, decodeHeader, encodeHeader } from './header.js';
import { hex, toHex } from './test-bytes.js';

const CASES = 100_000;

/** Byte arrays that are random, or a seed vector truncated and with a few bytes overwritten. */
function mutatedFrom(seeds: Uint8Array[], maxLength: number): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .record({
      seed: fc.constantFrom(...seeds),
      cut: fc.nat(maxLength),
      edits: fc.array(fc.tuple(fc.nat(maxLength), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    })
    .map(({ seed, cut, edits }) => {
      const out = seed.slice(0, Math.min(seed.length, cut));
      for (const [at, value] of edits) if (at < out.length) out[at] = value;
      return out;
    });
  return fc.oneof(fc.uint8Array({ maxLength }), mutated);
}

describe('fuzz', () => {
  it(`header decoder: ${CASES} cases never throw, and accepted bytes re-encode identically`, () => {
    const seeds = [
      hex('10 00 00 2A 00 0F 42 40 C0 A8 01 64 68 1A 01 32 30 39 1E 61 01 02 03'),
      hex('20 00 00 2C 00 0F 42 40 C0 A8 01 64 68 1A 01 32 30 39 1E 61 00 07 02 08 ff'),
    ];
    const out = new Uint8Array(HEADER_V2_LEN);
    fc.assert(
      fc.property(mutatedFrom(seeds, 40), (bytes) => {
        const result = decodeHeader(bytes);
        // The allocation-free check used on hot paths must agree with the decoder on every input.
        const check = checkHeader(bytes);
        expect(check > 0 ? check : ['truncated', 'unsupported-version', 'invalid-fec-k'][-check - 1]).toBe(
          result.ok ? result.header.version : result.error,
        );
        if (!result.ok) return;
        const written = encodeHeader(result.header, out);
        expect(written).toBe(result.payloadOffset);
        expect(toHex(out.subarray(0, written))).toBe(toHex(bytes.subarray(0, written)));
      }),
      { numRuns: CASES },
    );
  });

  it(`control body decoder: ${CASES} cases never throw, and accepted bytes re-encode as a prefix`, () => {
    const seeds = [
      hex('04 00 00 00 2a ab 04 6c 61 2d 31 02 75 73'),
      hex('02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02'),
      hex('06 4b 00 00 00 2a 00 00 00 64'),
      hex('03 01 01'),
    ];
    fc.assert(
      fc.property(mutatedFrom(seeds, 48), (bytes) => {
        const result = decodeControlBody(bytes);
        if (!result.ok) return;
        const again = encodeControlBody(result.message);
        expect(toHex(bytes.subarray(0, again.length))).toBe(toHex(again));
      }),
      { numRuns: CASES },
    );
  });

  it('control frame reader: random chunk streams never throw', () => {
    const valid = encodeControlFrame({ type: 'register', protocolVersion: 1, gameId: 2 });
    fc.assert(
      fc.property(fc.array(mutatedFrom([valid, hex('00 09 01 00 00')], 24), { maxLength: 10 }), (chunks) => {
        const reader = new ControlFrameReader();
        for (const chunk of chunks) reader.push(chunk);
      }),
      { numRuns: 20_000 },
    );
  });

  it('FEC decoder: random packet sequences never throw and keep consistent counters', () => {
    const packet = fc.record({
      blockId: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff })),
      index: fc.integer({ min: 0, max: 255 }),
      k: fc.integer({ min: 1, max: 16 }),
      payload: fc.uint8Array({ maxLength: 40 }),
      dt: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 50 }), (packets) => {
        const dec = new FecDecoder();
        let now = 0;
        let rebuilt = 0;
        for (const p of packets) {
          now += p.dt;
          const rec = dec.receive({ blockId: p.blockId, index: p.index, k: p.k }, p.payload, now);
          if (rec) {
            rebuilt++;
            expect(rec.index).toBeLessThan(16);
            expect(rec.payload.length).toBeLessThanOrEqual(40);
          }
        }
        dec.expire(now + 10_000);
        const s = dec.stats();
        expect(s.recovered).toBe(rebuilt);
        expect(s.recovered).toBeLessThanOrEqual(s.parity);
      }),
      { numRuns: 20_000 },
    );
  });
});
