import { describe, expect, it } from 'vitest';

import { UsageError } from './command.js';
import { describeFec, parseFecOption } from './fec-option.js';

describe('--fec', () => {
  it('defaults to adaptive (v3 with the balanced budget, K = 4 as the fallback)', () => {
    expect(parseFecOption(undefined)).toEqual({ fecK: 4, fecAdaptive: 'balanced' });
    expect(parseFecOption('adaptive')).toEqual({ fecK: 4, fecAdaptive: 'balanced' });
    expect(parseFecOption('STRONG')).toEqual({ fecK: 4, fecAdaptive: 'strong' });
    expect(describeFec(parseFecOption(undefined))).toBe('adaptive (v3, v2 K=4 fallback)');
  });

  it('0 is off and K = 2..16 is v2 XOR, as before', () => {
    expect(parseFecOption('0')).toEqual({ fecK: 0 });
    expect(parseFecOption('4')).toEqual({ fecK: 4 });
    expect(parseFecOption('16')).toEqual({ fecK: 16 });
    expect(describeFec({ fecK: 0 })).toBe('off');
    expect(describeFec({ fecK: 8 })).toBe('K=8');
  });

  it.each(['1', '17', '-2', '4.5', 'fast', ''])('refuses %j with a usage error naming --fec', (v) => {
    expect(() => parseFecOption(v)).toThrow(UsageError);
    expect(() => parseFecOption(v)).toThrow(/--fec/);
  });
});
