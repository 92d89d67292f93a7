import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { v3Coefficient } from './fec-v3-coefficients.js';
import { FEC_V3_WINDOW, SlidingDecoder } from './fec-v3-decoder.js';
import { SlidingEncoder, type RepairPacket } from './fec-v3-encoder.js';
import { GF_MUL, gfDiv, gfInv, gfMul } from './gf256.js';
import { toHex } from './test-bytes.js';

type Packet = { kind: 'source'; id: number; payload: Uint8Array } | { kind: 'repair'; r: RepairPacket };

/** Sources and, after source i, `repairsAfter(i)` repairs: the order a sender puts them on the wire. */
function encodeStream(
  payloads: Uint8Array[],
  repairsAfter: (i: number) => number,
  options: { maxW?: number; firstId?: number } = {},
): Packet[] {
  const enc = new SlidingEncoder({ horizonMs: 1e9, ...options });
  const out: Packet[] = [];
  payloads.forEach((payload, i) => {
    const id = enc.add(payload, i);
    out.push({ kind: 'source', id, payload });
    for (let n = repairsAfter(i); n > 0; n--) out.push({ kind: 'repair', r: enc.repair(i)! });
  });
  return out;
}

function decodeStream(packets: Packet[]): { dec: SlidingDecoder; got: Map<string, number> } {
  const got = new Map<string, number>();
  const dec = new SlidingDecoder((p) => got.set(toHex(p), (got.get(toHex(p)) ?? 0) + 1));
  for (const p of packets) {
    if (p.kind === 'source') dec.source(p.id, p.payload);
    else dec.repair(p.r.end, p.r.w, p.r.key, p.r.payload);
  }
  return { dec, got };
}

/** Distinct payloads (a 2-byte index prefix) of random lengths, so delivery is checked byte for byte. */
const payloadsArb = (min: number, max: number): fc.Arbitrary<Uint8Array[]> =>
  fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: min, maxLength: max }).map((list) =>
    list.map((body, i) => {
      const p = new Uint8Array(body.length + 2);
      p[0] = i >>> 8;
      p[1] = i & 0xff;
      p.set(body, 2);
      return p;
    }),
  );

describe('GF(256)', () => {
  it('multiplication is the carry-less product mod 0x11D, with inverses', () => {
    const slow = (a: number, b: number): number => {
      let r = 0;
      for (let i = 0; i < 8; i++) if (b & (1 << i)) r ^= a << i;
      for (let i = 15; i >= 8; i--) if (r & (1 << i)) r ^= 0x11d << (i - 8);
      return r;
    };
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) expect(GF_MUL[(a << 8) | b]).toBe(slow(a, b));
    for (let a = 1; a < 256; a++) {
      expect(gfMul(a, gfInv(a))).toBe(1);
      expect(gfMul(gfDiv(7, a), a)).toBe(7);
    }
    expect(() => gfInv(0)).toThrow(RangeError);
  });
});

describe('coefficients', () => {
  it('are 1 / ((0x80 | key) ⊕ (id mod 128)): golden values', () => {
    expect(v3Coefficient(0, 0)).toBe(gfInv(0x80));
    expect(v3Coefficient(5, 3)).toBe(gfInv(0x86));
    expect(v3Coefficient(127, 128 + 127)).toBe(gfInv(0x80));
    expect([v3Coefficient(0, 0), v3Coefficient(1, 2), v3Coefficient(127, 0)]).toEqual([
      gfInv(0x80),
      gfInv(0x83),
      gfInv(0xff),
    ]);
  });

  it('every square submatrix of a 3 × 3 pick is invertible (Cauchy)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 3, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 3, maxLength: 3 }),
        (keys, ids) => {
          const m = keys.map((k) => ids.map((id) => v3Coefficient(k, id)));
          const [a, b, c] = m as [number[], number[], number[]];
          const det =
            gfMul(a[0]!, gfMul(b[1]!, c[2]!) ^ gfMul(b[2]!, c[1]!)) ^
            gfMul(a[1]!, gfMul(b[0]!, c[2]!) ^ gfMul(b[2]!, c[0]!)) ^
            gfMul(a[2]!, gfMul(b[0]!, c[1]!) ^ gfMul(b[1]!, c[0]!));
          expect(det).not.toBe(0);
        },
      ),
    );
  });
});

describe('sliding-window code', () => {
  it('worked vector: two sources, one repair, the second source rebuilt', () => {
    const enc = new SlidingEncoder({ maxW: 4 });
    enc.add(Uint8Array.of(0xaa), 0);
    enc.add(Uint8Array.of(0x01, 0x02), 0);
    const r = enc.repair(0)!;
    expect(r).toMatchObject({ end: 1, w: 2, key: 0 });
    // symbols: 00 01 AA (padded 00) and 00 02 01 02; c0 = 1/(0x80⊕1), c1 = 1/(0x80⊕0)
    const c0 = gfInv(0x81);
    const c1 = gfInv(0x80);
    const expected = [0x00, gfMul(c1, 1) ^ gfMul(c0, 2), gfMul(c1, 0xaa) ^ gfMul(c0, 1), gfMul(c0, 2)];
    expect([...r.payload]).toEqual(expected);
    const got: string[] = [];
    const dec = new SlidingDecoder((p, rec) => got.push(`${rec ? 'R' : 'S'}:${toHex(p)}`));
    dec.source(0, Uint8Array.of(0xaa));
    dec.repair(r.end, r.w, r.key, r.payload);
    expect(got).toEqual(['S:aa', 'R:01 02']);
  });

  it('L lost sources are rebuilt from any L later repairs that cover them all (bursts included)', () => {
    fc.assert(
      fc.property(
        payloadsArb(1, 40),
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 3 }),
        (payloads, maxW, firstId, seed, perSource) => {
          const packets = encodeStream(payloads, () => perSource, { maxW, firstId });
          // Lose L sources and all but L of the repairs whose window covers every lost one.
          const rng = new Rand(seed);
          const sources = packets.filter((p) => p.kind === 'source');
          const lost = new Set<number>();
          const first = rng.int(sources.length);
          const span = Math.min(maxW, sources.length - first);
          for (let i = 0; i < span; i++) if (rng.int(3) === 0 || i === 0) lost.add(first + i);
          const lostIds = [...lost].map((i) => (sources[i] as { id: number }).id);
          const covering = packets.filter(
            (p) => p.kind === 'repair' && lostIds.every((id) => ((p.r.end - id) & 0xffff) < p.r.w),
          );
          fc.pre(covering.length >= lost.size);
          const keep = new Set(covering.slice(0, lost.size));
          const wire = packets.filter((p) =>
            p.kind === 'source'
              ? !lostIds.includes(p.id)
              : keep.has(p) || !covering.includes(p)
                ? rng.int(2) === 0 || keep.has(p)
                : false,
          );
          const { dec, got } = decodeStream(wire);
          for (const p of payloads) expect(got.get(toHex(p))).toBe(1);
          expect(dec.stats().recovered).toBe(lost.size);
          expect(dec.stats().invalid).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('whatever is lost, duplicated or reordered: every delivery is a sent payload, delivered once', () => {
    fc.assert(
      fc.property(
        payloadsArb(1, 120),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (payloads, seed, loss) => {
          const rng = new Rand(seed);
          const packets = encodeStream(payloads, () => (rng.int(2) === 0 ? 1 : 0));
          const wire: Packet[] = [];
          for (const p of packets) {
            if (rng.next() < loss) continue;
            wire.push(p);
            if (rng.int(10) === 0) wire.push(p);
          }
          for (let i = 0; i + 1 < wire.length; i++) {
            if (rng.int(8) === 0) [wire[i], wire[i + 1]] = [wire[i + 1]!, wire[i]!];
          }
          const { dec, got } = decodeStream(wire);
          const sent = new Set(payloads.map(toHex));
          for (const [k, n] of got) {
            expect(sent.has(k)).toBe(true);
            expect(n).toBe(1);
          }
          const s = dec.stats();
          expect(s.invalid).toBe(0);
          expect(s.received + s.recovered).toBe(got.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('memory stays bounded over a long lossy stream of the largest payloads', () => {
    const enc = new SlidingEncoder({ maxW: 32 });
    const dec = new SlidingDecoder(() => undefined);
    const rng = new Rand(7);
    let peak = 0;
    for (let i = 0; i < 5000; i++) {
      const payload = new Uint8Array(rng.int(2) === 0 ? 2048 : 100).fill(i & 0xff);
      const id = enc.add(payload, i);
      if (rng.next() > 0.3) dec.source(id, payload);
      if (rng.int(2) === 0) {
        const r = enc.repair(i)!;
        if (rng.next() > 0.3) dec.repair(r.end, r.w, r.key, r.payload);
      }
      peak = Math.max(peak, dec.retainedBytes());
    }
    // 64 source slots and at most 64 rows (symbol + coefficients), each symbol at most 2050 bytes.
    expect(peak).toBeLessThanOrEqual(FEC_V3_WINDOW * 2050 + FEC_V3_WINDOW * (2050 + FEC_V3_WINDOW));
    expect(dec.stats().recovered).toBeGreaterThan(0);
  });
});

/** A small seeded generator for the test's own choices. */
class Rand {
  constructor(private s: number) {}
  next(): number {
    this.s = (Math.imul(this.s, 1103515245) + 12345) >>> 0;
    return (this.s >>> 8) / 16777216;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
