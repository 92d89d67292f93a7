import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  MESH_CLIENT_HEADER_LEN,
  MeshDuplicateFilter,
  MeshKind,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  meshSessionKey,
  type MeshClientFrame,
} from './mesh-client.js';

const frame: fc.Arbitrary<MeshClientFrame> = fc.record({
  kind: fc.constantFrom(MeshKind.DATA, MeshKind.KEEPALIVE, MeshKind.EXITS, MeshKind.FIN, MeshKind.FEC),
  tokenOrStatus: fc.integer({ min: 0, max: 255 }),
  seq: fc.integer({ min: 0, max: 0xffff }),
  sessionId: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  ip: fc.integer({ min: 0, max: 0xffffffff }),
  port: fc.integer({ min: 0, max: 0xffff }),
  exit: fc.stringMatching(/^[a-z0-9-]{0,64}$/),
  payload: fc.uint8Array({ maxLength: 200 }),
});

describe('mesh client frame', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const d = decodeMeshClientFrame(encodeMeshClientFrame(f));
        expect(d.ok).toBe(true);
        if (d.ok)
          expect({ ...d.frame, sessionId: [...d.frame.sessionId], payload: [...d.frame.payload] }).toEqual({
            ...f,
            sessionId: [...f.sessionId],
            payload: [...f.payload],
          });
      }),
      { numRuns: 5000 },
    );
  });

  it('golden bytes: version 4 in the high nibble (deployed relays drop it), 19-byte header', () => {
    const bytes = encodeMeshClientFrame({
      kind: MeshKind.DATA,
      tokenOrStatus: 0,
      seq: 42,
      sessionId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      ip: 0x681a0132,
      port: 7777,
      exit: 'r3',
      payload: Uint8Array.of(0xaa),
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '40' + '00' + '002a' + '0102030405060708' + '681a0132' + '1e61' + '02' + '7233' + 'aa',
    );
    expect(MESH_CLIENT_HEADER_LEN).toBe(19);
  });

  it('fuzz: 50,000 random or mutated inputs never throw; accepted frames re-encode identically', () => {
    const mutated = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .record({
          seed: frame.map(encodeMeshClientFrame),
          cut: fc.nat(300),
          edits: fc.array(fc.tuple(fc.nat(300), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        })
        .map(({ seed, cut, edits }) => {
          const out = seed.slice(0, Math.min(seed.length, cut));
          for (const [at, v] of edits) if (at < out.length) out[at] = v;
          return out;
        }),
    );
    fc.assert(
      fc.property(mutated, (bytes) => {
        const d = decodeMeshClientFrame(bytes);
        if (d.ok) expect(encodeMeshClientFrame(d.frame)).toEqual(bytes);
      }),
      { numRuns: 50_000 },
    );
  });

  it('rejects other versions, unknown kinds, long exit ids and truncation', () => {
    const ok = encodeMeshClientFrame({
      kind: MeshKind.KEEPALIVE,
      tokenOrStatus: 0,
      seq: 1,
      sessionId: new Uint8Array(8),
      ip: 0,
      port: 0,
      exit: 'abc',
      payload: new Uint8Array(0),
    });
    expect(decodeMeshClientFrame(ok).ok).toBe(true);
    expect(decodeMeshClientFrame(ok.subarray(0, 20))).toEqual({ ok: false, error: 'truncated' });
    const v1 = Uint8Array.from(ok);
    v1[0] = 0x11;
    expect(decodeMeshClientFrame(v1)).toEqual({ ok: false, error: 'version' });
    const kind = Uint8Array.from(ok);
    kind[0] = 0x43;
    expect(decodeMeshClientFrame(kind)).toEqual({ ok: false, error: 'kind' });
    const long = Uint8Array.from(ok);
    long[18] = 65;
    expect(decodeMeshClientFrame(long)).toEqual({ ok: false, error: 'exit-id' });
    expect(meshSessionKey(Uint8Array.of(0, 1, 0xab, 255, 0, 0, 0, 16))).toBe('0001abff00000010');
  });

  it('duplicate filter: each sequence once, across wraparound, within 1024', () => {
    const f = new MeshDuplicateFilter();
    expect(f.accept(65530)).toBe(true);
    expect(f.accept(65530)).toBe(false);
    expect(f.accept(3)).toBe(true); // wrapped forward
    expect(f.accept(65533)).toBe(true); // late, not seen
    expect(f.accept(65533)).toBe(false);
    expect(f.accept(3)).toBe(false);
    expect(f.accept(3 - 1100 + 65536)).toBe(false); // too old: treated as a duplicate
    expect(f.duplicates).toBe(4);
  });
});
