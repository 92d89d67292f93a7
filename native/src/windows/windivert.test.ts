// On Linux and macOS the addon has no WinDivert: opening one says so instead of crashing.
import { describe, expect, it } from 'vitest';

import { NativeUnavailableError } from '../load.js';
import { openWinDivert } from './windivert.js';

describe.skipIf(process.platform === 'win32')('openWinDivert off Windows', () => {
  it('throws NativeUnavailableError (not-in-build)', () => {
    let error: unknown;
    try {
      openWinDivert({ dllPath: 'WinDivert.dll', filter: 'udp', layer: 'network', onPacket: () => {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeUnavailableError);
    expect(error).toMatchObject({ code: 'ENATIVE', reason: 'not-in-build' });
    expect((error as Error).message).toMatch(/WinDivert is Windows-only/);
  });
});
