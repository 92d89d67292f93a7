import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { CAPTURE_CAPABILITIES, hasCaptureCapabilities, parseCapabilitySet } from './privileges.js';
import { builtAddonPath, testSupport } from './test-support/addon.js';
import { isRoot } from './test-support/netns.js';

describe('capability sets from /proc/<pid>/status', () => {
  const status =
    'Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\nCapBnd:\t000001ffffffffff\n';

  it('reads a named set', () => {
    expect(parseCapabilitySet(status)).toBe(0x3000n);
    expect(parseCapabilitySet(status, 'CapBnd')).toBe(0x1ffffffffffn);
    expect(parseCapabilitySet('Name:\tnode\n')).toBeNull();
  });

  it('knows when both capture capabilities are there', () => {
    expect(CAPTURE_CAPABILITIES).toBe(0x3000n);
    expect(hasCaptureCapabilities(0x3000n)).toBe(true);
    expect(hasCaptureCapabilities(0x1000n)).toBe(false);
    expect(hasCaptureCapabilities(0x1ffffffffffn)).toBe(true);
  });
});

describe.skipIf(!isRoot)('dropPrivileges (needs root)', () => {
  it('becomes nobody with only CAP_NET_ADMIN and CAP_NET_RAW, kept across exec', () => {
    const run = spawnSync(
      process.execPath,
      [testSupport('privileges-child.mjs'), builtAddonPath(), '65534', '65534'],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      uid: 65534,
      euid: 65534,
      gid: 65534,
      groups: [65534],
      capEff: '0000000000003000',
      capPrm: '0000000000003000',
      capAmb: '0000000000003000',
      // An exec'd helper (nft, ip) runs as nobody with the same two capabilities.
      execChild: { uid: '65534', capEff: '0000000000003000' },
      // No way back to root.
      secondDrop: 'EPERM',
    });
    // IP_TRANSPARENT needs CAP_NET_ADMIN: the divert socket still opens.
    expect(report.divertPort).toBeGreaterThan(0);
  });
});
