import { describe, expect, it } from 'vitest';

import { bpfForPorts, orientSamples } from './traffic-watch.js';

const ip = (a: number, b: number, c: number, d: number): number =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

describe('game traffic seen', () => {
  it('filters UDP on the game’s ports only', () => {
    expect(bpfForPorts([27005, 5000, 27005])).toBe('udp and (port 5000 or port 27005)');
    expect(bpfForPorts([])).toBeNull();
    expect(bpfForPorts([0, 70000])).toBeNull();
  });

  it('orients 5-tuples from the game’s side and adds both directions up per remote endpoint', () => {
    const game = ip(192, 168, 1, 2);
    const server = ip(203, 0, 113, 7);
    const flows = orientSamples(
      [
        { srcIp: game, srcPort: 27005, dstIp: server, dstPort: 27015, packets: 64, bytes: 64 * 228 },
        { srcIp: server, srcPort: 27015, dstIp: game, dstPort: 27005, packets: 60, bytes: 60 * 128 },
        { srcIp: game, srcPort: 27005, dstIp: ip(192, 168, 1, 1), dstPort: 53, packets: 1, bytes: 70 },
        { srcIp: ip(10, 0, 0, 9), srcPort: 1, dstIp: ip(10, 0, 0, 8), dstPort: 2, packets: 9, bytes: 9 },
      ],
      [27005],
    );
    expect(flows).toEqual([
      {
        localPort: 27005,
        remote: '203.0.113.7:27015',
        packetsOut: 64,
        packetsIn: 60,
        bytesOut: 14592,
        bytesIn: 7680,
      },
      { localPort: 27005, remote: '192.168.1.1:53', packetsOut: 1, packetsIn: 0, bytesOut: 70, bytesIn: 0 },
    ]);
  });
});
