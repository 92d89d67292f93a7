import type { BoostStats } from '@lightspeed/shared';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { FecMeasured, fecMeasuredText } from './fec-measured.js';

afterEach(() => cleanup());

const base: BoostStats = {
  atMs: 0,
  relay: null,
  rtt: null,
  jitterMs: 0,
  lossUp: 0,
  lossDown: 0,
  lossDownAfterFec: 0,
  fecRecovered: 1234,
  packetsUp: 1000,
  packetsDown: 1000,
  bytesUp: 300_000,
  bytesDown: 220_000,
};

describe('FEC measured in the session', () => {
  it('v3: overhead is FEC bytes over data bytes sent, with rebuilt and lost counts', () => {
    const text = fecMeasuredText({ ...base, fecVersion: 3, fecBytesUp: 100_000, fecLost: 2 });
    expect(text).toBe(
      'This session: adaptive (v3) · overhead 50% · 1.2k packets rebuilt · 2 lost after FEC.',
    );
  });

  it('v2 from an engine without the byte counter: no overhead figure is made up', () => {
    expect(fecMeasuredText({ ...base, fecParityUp: 10 })).toBe(
      'This session: XOR parity (v2) · 1.2k packets rebuilt · 0 lost after FEC.',
    );
  });

  it('off, and no session', () => {
    expect(fecMeasuredText({ ...base, fecVersion: 1, fecRecovered: 0 })).toBe('This session: FEC off.');
    render(<FecMeasured stats={null} />);
    expect(screen.getByLabelText('FEC measured in this session').textContent).toMatch(
      /measured once a boost/,
    );
  });
});
