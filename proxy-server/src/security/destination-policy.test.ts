import { parseIpv4 } from '@lightspeed/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { cidrContains, parseCidr } from './cidr.js';
import { DestinationPolicy, REFUSED_RANGES } from './destination-policy.js';

const ip = (text: string): number => parseIpv4(text)!;

describe('DestinationPolicy', () => {
  const policy = new DestinationPolicy([]);

  it('refuses every non-public range by default', () => {
    for (const a of [
      '0.1.2.3',
      '10.0.0.1',
      '100.64.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '169.254.1.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.19.255.255',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.251',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
    ]) {
      expect(policy.allows(ip(a), 27015), a).toBe(false);
    }
  });

  it('allows public unicast, and never port 0', () => {
    for (const a of [
      '8.8.8.8',
      '1.1.1.1',
      '100.63.255.255',
      '100.128.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '198.20.0.1',
      '223.255.255.255',
    ]) {
      expect(policy.allows(ip(a), 27015), a).toBe(true);
    }
    expect(policy.allows(ip('8.8.8.8'), 0)).toBe(false);
  });

  it('allows a refused range when allow-listed, and refuses the host itself otherwise', () => {
    const lab = new DestinationPolicy(['127.0.0.0/8', '10.1.0.0/16'], [ip('8.8.4.4')]);
    expect(lab.allows(ip('127.0.0.1'), 1)).toBe(true);
    expect(lab.allows(ip('10.1.2.3'), 1)).toBe(true);
    expect(lab.allows(ip('10.2.0.1'), 1)).toBe(false);
    expect(lab.allows(ip('8.8.4.4'), 1)).toBe(false); // its own address
  });

  it('agrees with a bit-by-bit prefix comparison (property)', () => {
    const ranges = REFUSED_RANGES.map((r) => parseCidr(r)).filter((c) => typeof c !== 'string');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (addr) => {
        const refusedByPrefix = ranges.some(
          (c) => c.bits === 0 || addr >>> (32 - c.bits) === c.base >>> (32 - c.bits),
        );
        expect(policy.allows(addr, 1)).toBe(!refusedByPrefix);
        expect(ranges.some((c) => cidrContains(c, addr))).toBe(refusedByPrefix);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('parseCidr', () => {
  it('parses and rejects with reasons', () => {
    expect(parseCidr('127.0.0.0/8')).toMatchObject({ bits: 8, base: ip('127.0.0.0') });
    expect(parseCidr('1.2.3.4')).toMatchObject({ bits: 32 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ bits: 0, mask: 0 });
    expect(parseCidr('1.2.3.0/33')).toMatch(/prefix length/);
    expect(parseCidr('1.2.3.4/24')).toMatch(/host bits/);
    expect(parseCidr('::1/128')).toMatch(/IPv4/);
  });
});
