/**
 * Fuzzing of the v3 decoders: random, truncated and mutated datagrams must never throw, whatever they
 * accept re-encodes to the bytes they read, and a session fed garbage keeps its memory bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FecLink } from './fec-link.js';
import { decodeFecNegotiation, encodeFecNegotiation } from './fec-negotiation.js';
import { FEC_V3_WINDOW, SlidingDecoder } from './fec-v3-decoder.js';
import { checkTunnelHeader, readV3Extension, writeV3Extension, type V3Extension } from './fec-v3-header.js';
import { decodeV3Report, encodeV3Report } from './fec-v3-report.js';
import { hex, toHex } from './test-bytes.js';

const CASES = 100_000;

/** Byte arrays that are random, or a seed truncated and with a few bytes overwritten. */
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

const SOURCE = hex('30 07 00 05 00 0f 42 40 c0 a8 01 64 68 1a 01 32 30 39 1e 61 00 05 00 00 aa bb cc');
const REPAIR = hex('38 07 00 06 00 05 43 11 00 03 aa bb cc 01 02');
const REPORT = hex('38 07 00 07 00 00 80 00 00 80 00 04 02 02 00 01');

describe('v3 fuzz', () => {
  it(`header: ${CASES} cases never throw; accepted extensions re-encode to the same bytes`, () => {
    const ext: V3Extension = { kind: 0, id: 0, w: 0, key: 0, payloadOffset: 0 };
    fc.assert(
      fc.property(mutatedFrom([SOURCE, REPAIR, REPORT], 32), (bytes) => {
        const v = checkTunnelHeader(bytes);
        const err = readV3Extension(bytes, ext);
        if (err !== null) return;
        expect(v).toBe(3);
        const again = new Uint8Array(ext.payloadOffset);
        again[0] = bytes[0]!;
        writeV3Extension(again, ext.kind, ext.id, ext.w, ext.key);
        const at = ext.payloadOffset === 8 ? 4 : 20;
        expect(toHex(again.subarray(at, at + 4))).toBe(toHex(bytes.subarray(at, at + 4)));
        expect(again[0]).toBe(bytes[0]);
      }),
      { numRuns: CASES },
    );
  });

  it(`report and negotiation payloads: ${CASES} cases never throw; accepted ones re-encode`, () => {
    fc.assert(
      fc.property(mutatedFrom([REPORT.subarray(8), hex('4c 53 46 33 03 01 00 00')], 12), (bytes) => {
        const r = decodeV3Report(bytes);
        if (r !== null) expect(toHex(encodeV3Report(r))).toBe(toHex(bytes.subarray(0, 8)));
        const n = decodeFecNegotiation(bytes);
        if (n !== null)
          expect(toHex(encodeFecNegotiation(n).subarray(0, 6))).toBe(toHex(bytes.subarray(0, 6)));
      }),
      { numRuns: CASES },
    );
  });

  it(`a v3 session: ${CASES} random, truncated and mutated datagrams never throw, memory stays bounded`, () => {
    let delivered = 0;
    const link = new FecLink({
      setting: { kind: 'adaptive', budget: 'balanced' },
      flushMs: 5,
      writeHeader: () => undefined,
      emit: () => undefined,
      deliver: (p) => {
        delivered++;
        expect(p.length).toBeLessThanOrEqual(2048);
      },
    });
    let now = 0;
    let peak = 0;
    fc.assert(
      fc.property(mutatedFrom([SOURCE, REPAIR, REPORT], 40), (bytes) => {
        now += 1;
        const v = checkTunnelHeader(bytes);
        if (v === 2 || v === 3) link.receive(bytes, v, now);
        link.tick(now);
        peak = Math.max(peak, link.retainedBytes());
      }),
      { numRuns: CASES },
    );
    const s = link.stats();
    expect(s.invalid).toBeGreaterThan(0);
    expect(delivered).toBe(s.received + s.recovered);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2 * FEC_V3_WINDOW * (2050 + FEC_V3_WINDOW));
  });

  it('decoder: random repair and source sequences never throw; retained bytes stay bounded', () => {
    const op = fc.record({
      repair: fc.boolean(),
      id: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 0xffff })),
      w: fc.integer({ min: 0, max: 70 }),
      key: fc.integer({ min: 0, max: 255 }),
      payload: fc.uint8Array({ maxLength: 60 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        let sunk = 0;
        const dec = new SlidingDecoder(() => sunk++);
        for (const o of ops) {
          if (o.repair) dec.repair(o.id, o.w, o.key, o.payload);
          else dec.source(o.id, o.payload);
          expect(dec.retainedBytes()).toBeLessThanOrEqual(2 * FEC_V3_WINDOW * (2050 + FEC_V3_WINDOW));
        }
        const s = dec.stats();
        expect(sunk).toBe(s.received + s.recovered);
      }),
      { numRuns: 20_000 },
    );
  });
});
