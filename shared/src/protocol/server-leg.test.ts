import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  SERVER_LEG_LEN,
  decodeServerLegAnswer,
  decodeServerLegQuery,
  encodeServerLegAnswer,
  encodeServerLegQuery,
} from './server-leg.js';

describe('server-leg query and answer', () => {
  it('has the documented bytes', () => {
    const q = encodeServerLegQuery({ ip: 0xc0000207, port: 7777 });
    expect([...q]).toEqual([0x4c, 0x53, 1, 0, 0xc0, 0x00, 0x02, 0x07, 0x1e, 0x61, 0, 0]);
    const a = encodeServerLegAnswer({ known: true, legUs: 45_000, samples: 12, ageS: 3 });
    expect([...a]).toEqual([0x4c, 0x53, 2, 1, 0, 0, 0xaf, 0xc8, 0, 12, 0, 3]);
  });

  it('round-trips any query and answer', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }), (ip, port) => {
        expect(decodeServerLegQuery(encodeServerLegQuery({ ip, port }))).toEqual({ ip, port });
      }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 0xffff }),
        (known, legUs, samples, ageS) => {
          const a = { known, legUs, samples, ageS };
          expect(decodeServerLegAnswer(encodeServerLegAnswer(a))).toEqual(a);
        },
      ),
    );
  });

  it('rejects anything else without throwing; an answer is never a query', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const q = decodeServerLegQuery(bytes);
        const a = decodeServerLegAnswer(bytes);
        if (q !== null) expect(bytes.length).toBe(SERVER_LEG_LEN);
        expect(q !== null && a !== null).toBe(false);
      }),
    );
    expect(
      decodeServerLegQuery(encodeServerLegAnswer({ known: true, legUs: 1, samples: 1, ageS: 0 })),
    ).toBeNull();
  });

  it('saturates out-of-range answers instead of wrapping', () => {
    const a = decodeServerLegAnswer(
      encodeServerLegAnswer({ known: true, legUs: 1e12, samples: 1e6, ageS: -5 }),
    );
    expect(a).toEqual({ known: true, legUs: 0xffffffff, samples: 0xffff, ageS: 0 });
  });
});
