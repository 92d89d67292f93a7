// The flow watcher's link-layer parsing, driven through the addon's parseFrame with crafted frames.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { requireNative } from './load.js';

const parseFrame = (linkType: number, frame: Uint8Array) => {
  const parse = requireNative().parseFrame;
  if (parse === undefined) throw new Error('parseFrame is missing from this build');
  return parse(linkType, frame);
};

// 198.51.100.7:3074 -> 203.0.113.9:27015, 5 payload bytes.
function ipv4Udp(options: { protocol?: number; fragment?: number; ihl?: number } = {}): Uint8Array {
  const ihl = options.ihl ?? 5;
  const ip = new Uint8Array(ihl * 4 + 8 + 5);
  const view = new DataView(ip.buffer);
  ip[0] = 0x40 | ihl;
  view.setUint16(2, ip.length);
  view.setUint16(6, options.fragment ?? 0);
  ip[8] = 64;
  ip[9] = options.protocol ?? 17;
  ip.set([198, 51, 100, 7], 12);
  ip.set([203, 0, 113, 9], 16);
  view.setUint16(ihl * 4, 3074);
  view.setUint16(ihl * 4 + 2, 27015);
  view.setUint16(ihl * 4 + 4, 13);
  return ip;
}

const concat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const expected = {
  srcIp: ((198 << 24) | (51 << 16) | (100 << 8) | 7) >>> 0,
  srcPort: 3074,
  dstIp: ((203 << 24) | (113 << 8) | 9) >>> 0,
  dstPort: 27015,
  ipLength: 33,
};
const ether = (type: number[]) => [...Array<number>(12).fill(0xaa), ...type];

describe('link-layer frames to UDP 5-tuples', () => {
  it.each([
    ['DLT_EN10MB', 1, ether([0x08, 0x00])],
    ['DLT_EN10MB + 802.1Q', 1, [...Array<number>(12).fill(0xaa), 0x81, 0x00, 0x00, 0x05, 0x08, 0x00]],
    ['DLT_LINUX_SLL', 113, [0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00]],
    ['DLT_LINUX_SLL2', 276, [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0]],
    ['DLT_RAW', 12, []],
    ['LINKTYPE_RAW', 101, []],
    ['DLT_IPV4', 228, []],
    ['DLT_NULL (little-endian AF_INET)', 0, [2, 0, 0, 0]],
    ['DLT_NULL (big-endian AF_INET)', 0, [0, 0, 0, 2]],
    ['DLT_LOOP', 108, [0, 0, 0, 2]],
  ])('%s', (_name, linkType, header) => {
    expect(parseFrame(linkType, concat(header, ipv4Udp()))).toEqual(expected);
  });

  it('honours IPv4 options (IHL > 5)', () => {
    expect(parseFrame(12, ipv4Udp({ ihl: 7 }))).toEqual({ ...expected, ipLength: 41 });
  });

  it('rejects what is not an IPv4 UDP first fragment', () => {
    expect(parseFrame(1, concat(ether([0x86, 0xdd]), ipv4Udp()))).toBeNull(); // IPv6 ethertype
    expect(parseFrame(12, ipv4Udp({ protocol: 6 }))).toBeNull(); // TCP
    expect(parseFrame(12, ipv4Udp({ fragment: 0x0010 }))).toBeNull(); // a later fragment
    expect(parseFrame(12, ipv4Udp().subarray(0, 24))).toBeNull(); // cut inside the UDP header
    expect(
      parseFrame(113, concat([0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x86, 0xdd], ipv4Udp())),
    ).toBeNull();
    expect(parseFrame(0, concat([10, 0, 0, 0], ipv4Udp()))).toBeNull(); // AF_INET6 on Linux
    expect(parseFrame(147, ipv4Udp())).toBeNull(); // a link type it does not know
  });

  it('never reads past the frame, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 276, 9999),
        fc.uint8Array({ maxLength: 80 }),
        (linkType, bytes) => {
          const result = parseFrame(linkType, bytes);
          if (result !== null) expect(result.ipLength).toBeGreaterThanOrEqual(28);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses arguments of the wrong type instead of crashing', () => {
    expect(() => parseFrame(-1, new Uint8Array(4))).toThrow(TypeError);
    expect(() => (requireNative().parseFrame as (...a: unknown[]) => unknown)(1, 'frame')).toThrow(TypeError);
  });
});
