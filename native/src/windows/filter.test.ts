import { describe, expect, it } from 'vitest';

import { ipToU32 } from '../ipv4.js';
import { isCapturable, parseCidr } from './destinations.js';
import { flowFilter, MAX_FLOW_TERMS, networkFilter } from './filter.js';

const FIXED =
  'outbound and not loopback and ip and udp and udp.DstPort != 53' +
  ' and (ip.DstAddr < 0.0.0.0 or ip.DstAddr > 0.255.255.255)' +
  ' and (ip.DstAddr < 127.0.0.0 or ip.DstAddr > 127.255.255.255)' +
  ' and (ip.DstAddr < 169.254.0.0 or ip.DstAddr > 169.254.255.255)' +
  ' and (ip.DstAddr < 224.0.0.0 or ip.DstAddr > 239.255.255.255)' +
  ' and ip.DstAddr != 255.255.255.255';
const LAN =
  ' and (ip.DstAddr < 10.0.0.0 or ip.DstAddr > 10.255.255.255)' +
  ' and (ip.DstAddr < 100.64.0.0 or ip.DstAddr > 100.127.255.255)' +
  ' and (ip.DstAddr < 172.16.0.0 or ip.DstAddr > 172.31.255.255)' +
  ' and (ip.DstAddr < 192.168.0.0 or ip.DstAddr > 192.168.255.255)';

describe('WinDivert filters', () => {
  it("FLOW layer: the processes' UDP/IPv4 flows", () => {
    expect(flowFilter([4242])).toBe('ip and udp and processId == 4242');
    expect(flowFilter([7, 4242, 7])).toBe('ip and udp and (processId == 7 or processId == 4242)');
    expect(flowFilter([])).toBe('false');
    expect(() => flowFilter([-1])).toThrow(RangeError);
  });

  it('NETWORK layer: the flows to the game servers, minus relays, loopback and the LAN', () => {
    const flows = [
      { localPort: 50_000, remoteIp: ipToU32('203.0.113.7'), remotePort: 3074 },
      { localPort: 50_001, remoteIp: ipToU32('198.51.100.20'), remotePort: 27_015 },
    ];
    expect(networkFilter(flows, { excludes: ['192.0.2.10/32', '198.18.0.0/15'] })).toBe(
      FIXED +
        LAN +
        ' and ip.DstAddr != 192.0.2.10' +
        ' and (ip.DstAddr < 198.18.0.0 or ip.DstAddr > 198.19.255.255)' +
        ' and ((udp.SrcPort == 50000 and ip.DstAddr == 203.0.113.7 and udp.DstPort == 3074)' +
        ' or (udp.SrcPort == 50001 and ip.DstAddr == 198.51.100.20 and udp.DstPort == 27015))',
    );
    expect(networkFilter(flows.slice(0, 1), { excludes: [], captureLan: true })).toBe(
      FIXED + ' and (udp.SrcPort == 50000 and ip.DstAddr == 203.0.113.7 and udp.DstPort == 3074)',
    );
    expect(networkFilter([], { excludes: [] })).toBe('false');
  });

  it("falls back to the game's local ports past MAX_FLOW_TERMS flows", () => {
    const flows = Array.from({ length: MAX_FLOW_TERMS + 1 }, (_, i) => ({
      localPort: 50_000 + (i % 2),
      remoteIp: ipToU32('203.0.113.7') + i,
      remotePort: 3074,
    }));
    expect(networkFilter(flows, { excludes: [], captureLan: true })).toBe(
      FIXED + ' and (udp.SrcPort == 50000 or udp.SrcPort == 50001)',
    );
  });

  it('refuses malformed excludes and ports', () => {
    const flow = { localPort: 1, remoteIp: 1, remotePort: 1 };
    expect(() => networkFilter([flow], { excludes: ['203.0.113.0/33'] })).toThrow(TypeError);
    expect(() => networkFilter([flow], { excludes: ['example.com'] })).toThrow(TypeError);
    expect(() => networkFilter([{ ...flow, localPort: 70_000 }], { excludes: [] })).toThrow(RangeError);
  });
});

describe('capturable destinations', () => {
  const policy = { excludes: ['192.0.2.0/24'] };
  it.each([
    ['203.0.113.7', 3074, true],
    ['203.0.113.7', 53, false],
    ['127.0.0.1', 3074, false],
    ['169.254.1.1', 3074, false],
    ['239.255.255.250', 1900, false],
    ['255.255.255.255', 3074, false],
    ['192.0.2.99', 3074, false],
    ['10.1.2.3', 3074, false],
    ['172.20.0.1', 3074, false],
    ['172.32.0.1', 3074, true],
    ['192.168.1.1', 3074, false],
  ] as const)('%s:%d → %s', (ip, port, expected) => {
    expect(isCapturable(ipToU32(ip), port, policy)).toBe(expected);
  });

  it('takes the LAN with captureLan', () => {
    expect(isCapturable(ipToU32('192.168.1.1'), 3074, { ...policy, captureLan: true })).toBe(true);
  });

  it('normalises CIDRs', () => {
    expect(parseCidr('203.0.113.77/24')).toEqual({
      first: ipToU32('203.0.113.0'),
      last: ipToU32('203.0.113.255'),
      text: '203.0.113.0/24',
    });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ first: 0, last: 0xffffffff });
    expect(parseCidr('198.51.100.1')).toMatchObject({
      first: ipToU32('198.51.100.1'),
      last: ipToU32('198.51.100.1'),
    });
  });
});
