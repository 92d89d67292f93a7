import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  Flag,
  HEADER_V1_LEN,
  HEADER_V2_LEN,
  decodeHeader,
  encodeHeader,
  keepaliveHeader,
  responseHeader,
  withToken,
  type TunnelHeader,
} from './header.js';
import { formatIpv4, parseIpv4 } from './ipv4.js';
import { hex, toHex } from './test-bytes.js';

// Hex dumps from the seed protocol document (002), v1 section.
const SEED_V1_DATA = '10 00 00 2A 00 0F 42 40 C0 A8 01 64 68 1A 01 32 30 39 1E 61';
const SEED_V1_KEEPALIVE = '11 00 00 05 00 0F 42 40 00 00 00 00 00 00 00 00 00 00 00 00';
// The seed's v2 dumps with their 4-byte FEC extension as deployed (the seed's trailing flags/reserved
// bytes are not part of the deployed header).
const DEPLOYED_V2_DATA = '20 00 00 2C 00 0F 42 40 C0 A8 01 64 68 1A 01 32 30 39 1E 61 00 07 02 08';
const DEPLOYED_V2_PARITY = '20 00 00 30 00 0F 42 40 00 00 00 00 00 00 00 00 00 00 00 00 00 07 08 08';

function decodeOk(bytes: Uint8Array): { header: TunnelHeader; payloadOffset: number } {
  const result = decodeHeader(bytes);
  if (!result.ok) throw new Error(`decode failed: ${result.error}`);
  return result;
}

function reencode(header: TunnelHeader): string {
  const buf = new Uint8Array(header.version === 2 ? HEADER_V2_LEN : HEADER_V1_LEN);
  encodeHeader(header, buf);
  return toHex(buf);
}

describe('golden vectors', () => {
  it('decodes the seed v1 data packet and re-encodes it byte for byte', () => {
    const bytes = new Uint8Array([...hex(SEED_V1_DATA), ...new Uint8Array(200).fill(0xab)]);
    const { header, payloadOffset } = decodeOk(bytes);
    expect(header).toEqual({
      version: 1,
      flags: 0,
      token: 0,
      sequence: 42,
      timestampUs: 1_000_000,
      srcIp: parseIpv4('192.168.1.100'),
      dstIp: parseIpv4('104.26.1.50'),
      srcPort: 12345,
      dstPort: 7777,
    });
    expect(payloadOffset).toBe(20);
    expect(bytes.length - payloadOffset).toBe(200);
    expect(reencode(header)).toBe(toHex(hex(SEED_V1_DATA)));
  });

  it('decodes the seed v1 keepalive and re-encodes it byte for byte', () => {
    const { header, payloadOffset } = decodeOk(hex(SEED_V1_KEEPALIVE));
    expect(header).toEqual(keepaliveHeader(5, 1_000_000));
    expect(header.flags).toBe(Flag.KEEPALIVE);
    expect(payloadOffset).toBe(HEADER_V1_LEN);
    expect(reencode(header)).toBe(toHex(hex(SEED_V1_KEEPALIVE)));
  });

  it('decodes the deployed 24-byte v2 data header', () => {
    const { header, payloadOffset } = decodeOk(hex(DEPLOYED_V2_DATA));
    expect(header.version).toBe(2);
    expect(header.sequence).toBe(44);
    expect(header.version === 2 && header.fec).toEqual({ blockId: 7, index: 2, k: 8 });
    expect(payloadOffset).toBe(24);
    expect(reencode(header)).toBe(toHex(hex(DEPLOYED_V2_DATA)));
  });

  it('decodes the deployed 24-byte v2 parity header (index = K)', () => {
    const { header } = decodeOk(hex(DEPLOYED_V2_PARITY));
    expect(header.sequence).toBe(48);
    expect(header.version === 2 && header.fec).toEqual({ blockId: 7, index: 8, k: 8 });
    expect(reencode(header)).toBe(toHex(hex(DEPLOYED_V2_PARITY)));
  });

  it("reads the seed's 26-byte v2 form as a 24-byte header whose payload starts with the seed's extra bytes", () => {
    const seed = hex('20 00 00 2C 00 0F 42 40 C0 A8 01 64 68 1A 01 32 30 39 1E 61 00 07 02 08 00 00 CA FE');
    const { payloadOffset } = decodeOk(seed);
    expect(toHex(seed.subarray(payloadOffset))).toBe('00 00 ca fe');
  });
});

describe('decode rejects what deployed relays drop', () => {
  it('rejects packets shorter than the header', () => {
    for (let len = 0; len < HEADER_V1_LEN; len++) {
      expect(decodeHeader(hex(SEED_V1_DATA).subarray(0, len))).toEqual({ ok: false, error: 'truncated' });
    }
    expect(decodeHeader(hex(DEPLOYED_V2_DATA).subarray(0, 23))).toEqual({ ok: false, error: 'truncated' });
  });

  it('rejects versions other than 1 and 2', () => {
    for (const version of [0, 3, 4, 15]) {
      const bytes = hex(SEED_V1_DATA);
      bytes[0] = version << 4;
      expect(decodeHeader(bytes)).toEqual({ ok: false, error: 'unsupported-version' });
    }
  });

  it('rejects K of 0 and above 16', () => {
    for (const k of [0, 17, 255]) {
      const bytes = hex(DEPLOYED_V2_DATA);
      bytes[23] = k;
      expect(decodeHeader(bytes)).toEqual({ ok: false, error: 'invalid-fec-k' });
    }
  });

  it('honours offset and length inside a larger buffer', () => {
    const frame = new Uint8Array([9, 9, 9, ...hex(SEED_V1_DATA), 1, 2]);
    const result = decodeHeader(frame, 3, 22);
    expect(result.ok && result.header.sequence).toBe(42);
    expect(result.ok && result.payloadOffset).toBe(23);
    expect(decodeHeader(frame, 3, 19)).toEqual({ ok: false, error: 'truncated' });
  });
});

describe('helpers', () => {
  it('responseHeader swaps source and destination', () => {
    const { header } = decodeOk(hex(SEED_V1_DATA));
    const reply = responseHeader(header);
    expect(formatIpv4(reply.srcIp)).toBe('104.26.1.50');
    expect(formatIpv4(reply.dstIp)).toBe('192.168.1.100');
    expect([reply.srcPort, reply.dstPort]).toEqual([7777, 12345]);
    expect(responseHeader(reply)).toEqual(header);
  });

  it('withToken sets the token byte', () => {
    const bytes = new Uint8Array(HEADER_V1_LEN);
    encodeHeader(withToken(keepaliveHeader(1, 2), 0xab), bytes);
    expect(bytes[1]).toBe(0xab);
  });

  it('encode writes at an offset and refuses out-of-range fields', () => {
    const buf = new Uint8Array(30).fill(0xee);
    expect(encodeHeader(keepaliveHeader(5, 1_000_000), buf, 5)).toBe(20);
    expect(toHex(buf.subarray(5, 25))).toBe(toHex(hex(SEED_V1_KEEPALIVE)));
    expect(buf[4]).toBe(0xee);
    expect(buf[25]).toBe(0xee);
    expect(() => encodeHeader(keepaliveHeader(70_000, 0), buf)).toThrow(RangeError);
    expect(() => encodeHeader(keepaliveHeader(1, 0), buf, 20)).toThrow(RangeError);
  });

  it('parses and formats IPv4', () => {
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', '']) {
      expect(parseIpv4(bad)).toBeNull();
    }
  });
});

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const fields = {
  flags: fc.integer({ min: 0, max: 0xf }),
  token: u8,
  sequence: u16,
  timestampUs: u32,
  srcIp: u32,
  dstIp: u32,
  srcPort: u16,
  dstPort: u16,
};
const arbitraryHeader: fc.Arbitrary<TunnelHeader> = fc.oneof(
  fc.record({ version: fc.constant(1 as const), ...fields }),
  fc.record({
    version: fc.constant(2 as const),
    ...fields,
    fec: fc.record({ blockId: u16, index: u8, k: fc.integer({ min: 1, max: 16 }) }),
  }),
);

describe('properties', () => {
  it('decode(encode(h)) = h for every valid header, at any offset', () => {
    fc.assert(
      fc.property(arbitraryHeader, fc.integer({ min: 0, max: 8 }), (h, offset) => {
        const buf = new Uint8Array(offset + 40);
        const written = encodeHeader(h, buf, offset);
        const result = decodeHeader(buf, offset, written);
        expect(result).toEqual({ ok: true, header: h, payloadOffset: offset + written });
      }),
      { numRuns: 5_000 },
    );
  });
});
