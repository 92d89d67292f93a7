import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FecDecoder, FEC_BLOCK_MAX_AGE_MS, FEC_WINDOW_BLOCKS, type RecoveredPacket } from './fec-decoder.js';
import { FecEncoder, type ParityPacket } from './fec-encoder.js';
import type { FecExtension } from './header.js';
import { hex, toHex } from './test-bytes.js';

const fill = (char: string, n: number): Uint8Array => new Uint8Array(n).fill(char.charCodeAt(0));

interface Sent {
  fec: FecExtension;
  payload: Uint8Array;
}

/** Encodes payloads into blocks of `k` (flushing a final partial block) as a sender would put them on the wire. */
function encodeAll(k: number, payloads: Uint8Array[], firstBlockId = 0): Sent[] {
  const enc = new FecEncoder(k, firstBlockId);
  const out: Sent[] = [];
  const emitParity = (p: ParityPacket | null): void => {
    if (p) out.push({ fec: { blockId: p.blockId, index: p.k, k: p.k }, payload: p.payload });
  };
  for (const payload of payloads) {
    const blockId = enc.blockId;
    const index = enc.add(payload);
    out.push({ fec: { blockId, index, k }, payload });
    if (enc.full) emitParity(enc.flush());
  }
  emitParity(enc.flush());
  return out;
}

describe('parity vector', () => {
  const payloads = [fill('A', 10), fill('B', 20), fill('C', 5), fill('D', 13)];
  const expected = hex('04 04 04 04 04 47 47 47 47 47 06 06 06 42 42 42 42 42 42 42 00 16');

  it('compact parity of A×10, B×20, C×5, D×13 is 04×5 47×5 06×3 42×7 00 16', () => {
    const enc = new FecEncoder(4);
    for (const p of payloads) enc.add(p);
    expect(enc.full).toBe(true);
    const parity = enc.flush();
    expect(parity?.k).toBe(4);
    expect(parity?.blockId).toBe(0);
    expect(toHex(parity!.payload)).toBe(toHex(expected));
  });

  it.each([0, 1, 2, 3])('rebuilds payload %i from the other three plus parity', (lost) => {
    const dec = new FecDecoder();
    let recovered: RecoveredPacket | null = null;
    payloads.forEach((p, index) => {
      if (index !== lost) recovered ??= dec.receive({ blockId: 0, index, k: 4 }, p, 0);
    });
    expect(recovered).toBeNull();
    recovered = dec.receive({ blockId: 0, index: 4, k: 4 }, expected, 0);
    expect(recovered?.index).toBe(lost);
    expect(toHex(recovered!.payload)).toBe(toHex(payloads[lost]!));
    expect(dec.stats()).toMatchObject({ received: 3, parity: 1, recovered: 1, unrecoverable: 0 });
  });
});

describe('encoder', () => {
  it('refuses K outside 2..16', () => {
    for (const k of [0, 1, 17, 2.5]) expect(() => new FecEncoder(k)).toThrow(RangeError);
  });

  it('flushes a partial block with its actual k and nothing for an empty block', () => {
    const enc = new FecEncoder(8);
    expect(enc.flush()).toBeNull();
    enc.add(fill('x', 3));
    enc.add(fill('y', 1));
    const parity = enc.flush();
    expect(parity?.k).toBe(2);
    expect(toHex(parity!.payload)).toBe(toHex(new Uint8Array([0x78 ^ 0x79, 0x78, 0x78, 0, 3 ^ 1])));
    expect(enc.blockId).toBe(1);
    expect(enc.pending).toBe(0);
  });

  it('wraps block ids at 2^16', () => {
    const enc = new FecEncoder(2, 0xffff);
    enc.add(fill('a', 1));
    expect(enc.flush()?.blockId).toBe(0xffff);
    expect(enc.blockId).toBe(0);
  });

  it('refuses a fifth packet in a full block of four', () => {
    const enc = new FecEncoder(2);
    enc.add(fill('a', 1));
    enc.add(fill('a', 1));
    expect(() => enc.add(fill('a', 1))).toThrow();
  });
});

describe('decoder', () => {
  it('recovers when the parity arrives before the data (reordering)', () => {
    const sent = encodeAll(3, [fill('a', 7), fill('b', 9), fill('c', 2)]);
    const dec = new FecDecoder();
    const parity = sent[3]!;
    expect(dec.receive(parity.fec, parity.payload, 0)).toBeNull();
    expect(dec.receive(sent[2]!.fec, sent[2]!.payload, 1)).toBeNull();
    const rec = dec.receive(sent[0]!.fec, sent[0]!.payload, 2);
    expect(rec?.index).toBe(1);
    expect(toHex(rec!.payload)).toBe(toHex(fill('b', 9)));
  });

  it('tolerates the parity itself being lost', () => {
    const sent = encodeAll(4, [fill('a', 1), fill('b', 2), fill('c', 3), fill('d', 4)]);
    const dec = new FecDecoder();
    for (const s of sent.slice(0, 4)) expect(dec.receive(s.fec, s.payload, 0)).toBeNull();
    dec.expire(FEC_BLOCK_MAX_AGE_MS + 1);
    expect(dec.stats()).toMatchObject({ received: 4, parity: 0, recovered: 0, unrecoverable: 0, lost: 0 });
  });

  it('flags duplicates, including the late original of a rebuilt packet', () => {
    const sent = encodeAll(2, [fill('a', 5), fill('b', 6)]);
    const dec = new FecDecoder();
    dec.receive(sent[0]!.fec, sent[0]!.payload, 0);
    expect(dec.lastWasDuplicate).toBe(false);
    dec.receive(sent[0]!.fec, sent[0]!.payload, 0);
    expect(dec.lastWasDuplicate).toBe(true);
    expect(dec.receive(sent[2]!.fec, sent[2]!.payload, 0)?.index).toBe(1);
    expect(dec.receive(sent[1]!.fec, sent[1]!.payload, 0)).toBeNull();
    expect(dec.lastWasDuplicate).toBe(true);
    expect(dec.stats()).toMatchObject({ duplicates: 2, recovered: 1 });
  });

  it('counts a block with two losses as unrecoverable', () => {
    const sent = encodeAll(4, [fill('a', 1), fill('b', 2), fill('c', 3), fill('d', 4)]);
    const dec = new FecDecoder();
    for (const s of [sent[0]!, sent[3]!, sent[4]!]) expect(dec.receive(s.fec, s.payload, 0)).toBeNull();
    dec.expire(FEC_BLOCK_MAX_AGE_MS + 1);
    expect(dec.stats()).toMatchObject({ recovered: 0, unrecoverable: 1, lost: 2, expired: 1 });
  });

  it('expires blocks after 500 ms: a parity arriving later recovers nothing', () => {
    const sent = encodeAll(2, [fill('a', 3), fill('b', 3)]);
    const dec = new FecDecoder();
    dec.receive(sent[0]!.fec, sent[0]!.payload, 1000);
    expect(dec.receive(sent[2]!.fec, sent[2]!.payload, 1000 + FEC_BLOCK_MAX_AGE_MS + 1)).toBeNull();
    expect(dec.stats()).toMatchObject({ recovered: 0, expired: 1, late: 1, unrecoverable: 0 });
  });

  it('keeps a 64-block window: a block pushed out by a newer one is late', () => {
    const dec = new FecDecoder();
    const a = encodeAll(2, [fill('a', 1), fill('b', 1)], 0);
    const b = encodeAll(2, [fill('c', 1), fill('d', 1)], FEC_WINDOW_BLOCKS);
    dec.receive(a[0]!.fec, a[0]!.payload, 0);
    dec.receive(b[0]!.fec, b[0]!.payload, 1); // same slot, newer block
    expect(dec.receive(a[2]!.fec, a[2]!.payload, 2)).toBeNull();
    expect(dec.stats().late).toBe(1);
    expect(dec.receive(b[2]!.fec, b[2]!.payload, 3)?.payload[0]).toBe('d'.charCodeAt(0));
  });

  it('recovers across block-id wraparound', () => {
    const payloads = Array.from({ length: 12 }, (_, i) => fill(String.fromCharCode(65 + i), i + 1));
    const sent = encodeAll(3, payloads, 0xfffe);
    const dec = new FecDecoder();
    const rebuilt: string[] = [];
    sent.forEach((s, i) => {
      if (i % 4 === 1) return; // lose the second data packet of every block
      const rec = dec.receive(s.fec, s.payload, i);
      if (rec) rebuilt.push(toHex(rec.payload));
    });
    expect(rebuilt).toEqual([1, 4, 7, 10].map((i) => toHex(payloads[i]!)));
  });

  it('rejects a parity whose lengths cannot add up instead of delivering garbage', () => {
    const dec = new FecDecoder();
    dec.receive({ blockId: 0, index: 0, k: 2 }, fill('a', 4), 0);
    // Parity claims max_len 2 but a 4-byte data packet was seen: the rebuilt length (0x10 ^ 4) is impossible.
    expect(dec.receive({ blockId: 0, index: 2, k: 2 }, hex('00 00 00 10'), 0)).toBeNull();
    expect(dec.stats()).toMatchObject({ invalid: 1, recovered: 0 });
  });
});

describe('properties', () => {
  const payload = fc.uint8Array({ minLength: 0, maxLength: 1400 });

  it('any single loss in any block of 2..16 packets of 0..1400 bytes is recovered exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }).chain((k) =>
          fc.record({
            k: fc.constant(k),
            payloads: fc.array(payload, { minLength: k, maxLength: k }),
            lost: fc.integer({ min: 0, max: k - 1 }),
            blockId: fc.integer({ min: 0, max: 0xffff }),
            order: fc.boolean(),
          }),
        ),
        ({ k, payloads, lost, blockId, order }) => {
          const sent = encodeAll(k, payloads, blockId).filter((s) => s.fec.index !== lost);
          if (order) sent.reverse();
          const dec = new FecDecoder();
          const recovered = sent.map((s) => dec.receive(s.fec, s.payload, 0)).filter((r) => r !== null);
          expect(recovered).toHaveLength(1);
          expect(recovered[0]!.index).toBe(lost);
          expect(recovered[0]!.blockId).toBe(blockId);
          expect(Array.from(recovered[0]!.payload)).toEqual(Array.from(payloads[lost]!));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('over a long stream with at most one loss per block, every lost packet is rebuilt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }),
        fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 300 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 99 })),
        (k, payloads, dice) => {
          const sent = encodeAll(k, payloads);
          const dec = new FecDecoder();
          const lostByBlock = new Map<number, Sent>();
          let delivered = 0;
          for (const s of sent) {
            const isData = s.fec.index < s.fec.k;
            if (isData && !lostByBlock.has(s.fec.blockId) && dice.next().value < 20) {
              lostByBlock.set(s.fec.blockId, s);
              continue;
            }
            if (isData) delivered++;
            if (dec.receive(s.fec, s.payload, 0)) delivered++;
          }
          expect(delivered).toBe(payloads.length);
          expect(dec.stats().recovered).toBe(lostByBlock.size);
        },
      ),
      { numRuns: 200 },
    );
  });
});
