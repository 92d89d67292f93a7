import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { LEG_PENDING, LEG_UNKNOWN, decodeMeshExits, encodeMeshExits, type MeshExit } from './mesh-exits.js';

const exit: fc.Arbitrary<MeshExit> = fc.record({
  node: fc.stringMatching(/^[a-z0-9-]{1,64}$/),
  meshRttUs: fc.integer({ min: 0, max: 10_000_000 }),
  legUs: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(LEG_UNKNOWN, LEG_PENDING)),
  region: fc.stringMatching(/^[a-z0-9-]{0,64}$/),
  via: fc.array(fc.stringMatching(/^[a-z0-9-]{1,64}$/), { maxLength: 4 }),
});

describe('mesh exits payload', () => {
  it('golden vector: r3, 1.5 ms from the entry, leg 20 ms, eu-west', () => {
    const { payload, complete } = encodeMeshExits(
      [{ node: 'r3', meshRttUs: 1500, legUs: 20_000, region: 'eu-west', via: ['r2'] }],
      100,
    );
    expect(complete).toBe(true);
    expect(Buffer.from(payload).toString('hex')).toBe(
      '01' +
        '02' +
        '7233' +
        '000005dc' +
        '00004e20' +
        '07' +
        Buffer.from('eu-west').toString('hex') +
        '01' +
        '02' +
        '7232',
    );
  });

  it('round-trips; what does not fit is left out and the answer says so', () => {
    fc.assert(
      fc.property(fc.array(exit, { maxLength: 30 }), fc.integer({ min: 1, max: 3000 }), (exits, max) => {
        const { payload, complete } = encodeMeshExits(exits, max);
        expect(payload.length).toBeLessThanOrEqual(Math.max(1, max));
        const back = decodeMeshExits(payload);
        expect(back).not.toBeNull();
        expect(back).toEqual(exits.slice(0, back!.length));
        expect(complete).toBe(back!.length === exits.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('malformed payloads decode to null, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const d = decodeMeshExits(b);
        if (d !== null) expect(encodeMeshExits(d, 10_000).payload).toEqual(b);
      }),
      { numRuns: 5000 },
    );
    expect(decodeMeshExits(new Uint8Array(0))).toBeNull();
    expect(decodeMeshExits(Uint8Array.of(1, 0))).toBeNull();
    expect(decodeMeshExits(Uint8Array.of(1, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17))).toBeNull(); // via > 16
    expect(decodeMeshExits(Uint8Array.of(0, 0))).toBeNull(); // trailing byte
  });
});
