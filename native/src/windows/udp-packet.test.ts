import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ipToU32 } from '../ipv4.js';
import { buildIpv4Udp, ipv4ChecksumOk, parseIpv4Udp, udpChecksum, udpChecksumOk } from './udp-packet.js';

const arbitraryPacket = fc.record({
  srcIp: fc.nat({ max: 0xffffffff }),
  dstIp: fc.nat({ max: 0xffffffff }),
  srcPort: fc.nat({ max: 65535 }),
  dstPort: fc.nat({ max: 65535 }),
  ttl: fc.integer({ min: 1, max: 255 }),
  id: fc.nat({ max: 65535 }),
  payload: fc.uint8Array({ maxLength: 1400 }),
});

describe('IPv4/UDP packets', () => {
  it('matches a packet checked by hand (RFC 1071 sums)', () => {
    // 192.168.1.10:50000 -> 203.0.113.7:3074, "hi", id 1, ttl 64, DF. Sums by hand:
    // IP: 4500+001e+0001+4000+4011+c0a8+010a+cb00+7107 = 2c2e9 -> c2eb -> ~ = 3d14
    // UDP: pseudo (c0a8+010a+cb00+7107+0011+000a) + c350+0c02+000a + 6869 = 33599 -> 359c -> ~ = ca63
    const packet = buildIpv4Udp({
      srcIp: ipToU32('192.168.1.10'),
      srcPort: 50_000,
      dstIp: ipToU32('203.0.113.7'),
      dstPort: 3074,
      payload: new TextEncoder().encode('hi'),
      id: 1,
    });
    expect(Buffer.from(packet).toString('hex')).toBe(
      '4500001e0001400040' + '11' + '3d14' + 'c0a8010a' + 'cb007107' + 'c3500c02000a' + 'ca63' + '6869',
    );
  });

  it('round-trips build → parse, and both checksums verify', () => {
    fc.assert(
      fc.property(arbitraryPacket, (p) => {
        const packet = buildIpv4Udp(p);
        expect(parseIpv4Udp(packet)).toEqual({ ...p, payload: p.payload });
        expect(ipv4ChecksumOk(packet)).toBe(true);
        expect(udpChecksumOk(packet)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('detects any single corrupted byte in the headers or payload', () => {
    fc.assert(
      fc.property(arbitraryPacket, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, flip) => {
        const packet = buildIpv4Udp(p);
        const i = at % packet.length;
        packet[i] = (packet[i] ?? 0) ^ flip;
        const parsed = parseIpv4Udp(packet);
        // A zeroed UDP checksum field means "no checksum" (RFC 768): nothing to catch there.
        const checksumZeroed = packet[26] === 0 && packet[27] === 0;
        // Otherwise either the packet no longer parses, or a checksum catches the change.
        if (parsed !== null && !checksumZeroed)
          expect(ipv4ChecksumOk(packet) && udpChecksumOk(packet)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rewrites the addresses of a reply (server → game) with fresh checksums', () => {
    const outbound = buildIpv4Udp({
      srcIp: ipToU32('192.168.1.10'),
      srcPort: 50_000,
      dstIp: ipToU32('203.0.113.7'),
      dstPort: 3074,
      payload: Uint8Array.of(1, 2, 3),
    });
    const seen = parseIpv4Udp(outbound);
    expect(seen).not.toBeNull();
    if (seen === null) return;
    const reply = buildIpv4Udp({
      srcIp: seen.dstIp,
      srcPort: seen.dstPort,
      dstIp: seen.srcIp,
      dstPort: seen.srcPort,
      payload: Uint8Array.of(9, 9),
    });
    expect(parseIpv4Udp(reply)).toMatchObject({
      srcIp: ipToU32('203.0.113.7'),
      srcPort: 3074,
      dstIp: ipToU32('192.168.1.10'),
      dstPort: 50_000,
    });
    expect(ipv4ChecksumOk(reply) && udpChecksumOk(reply)).toBe(true);
  });

  it('sends a computed zero UDP checksum as 0xFFFF', () => {
    fc.assert(
      fc.property(arbitraryPacket, (p) => {
        const udp = buildIpv4Udp(p).subarray(20);
        expect(udpChecksum(p.srcIp, p.dstIp, udp)).not.toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects fragments, other protocols and malformed lengths; never throws', () => {
    const good = buildIpv4Udp({ srcIp: 1, srcPort: 2, dstIp: 3, dstPort: 4, payload: Uint8Array.of(5) });
    const mutate = (f: (b: Uint8Array, v: DataView) => void) => {
      const copy = Uint8Array.from(good);
      f(copy, new DataView(copy.buffer));
      return parseIpv4Udp(copy);
    };
    expect(mutate((_b, v) => v.setUint16(6, 0x2000))).toBeNull(); // MF
    expect(mutate((_b, v) => v.setUint16(6, 0x0001))).toBeNull(); // offset
    expect(mutate((b) => (b[9] = 6))).toBeNull(); // TCP
    expect(mutate((b) => (b[0] = 0x65))).toBeNull(); // IPv6 version
    expect(mutate((_b, v) => v.setUint16(2, 200))).toBeNull(); // longer than the buffer
    expect(mutate((_b, v) => v.setUint16(24, 4))).toBeNull(); // UDP length < 8
    expect(parseIpv4Udp(good.subarray(0, 27))).toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const parsed = parseIpv4Udp(bytes);
        if (parsed !== null) expect(parsed.payload.length).toBeLessThanOrEqual(bytes.length - 28);
        udpChecksumOk(bytes);
        ipv4ChecksumOk(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
