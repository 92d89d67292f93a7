/**
 * LightSpeed tunnel header, v1 (20 bytes) and v2 (24 bytes), as deployed relays speak it.
 *
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +-------+-------+---------------+-------------------------------+
 * |  Ver  | Flags | Session token |        Sequence (u16)         |  0
 * +-------+-------+---------------+-------------------------------+
 * |                   Timestamp, µs (u32, wraps)                  |  4
 * +---------------------------------------------------------------+
 * |                    Original source IPv4                       |  8
 * +---------------------------------------------------------------+
 * |                  Original destination IPv4                    | 12
 * +-------------------------------+-------------------------------+
 * |     Original source port      |   Original destination port   | 16
 * +-------------------------------+---------------+---------------+
 * |        FEC block id (v2)      | Index (v2)    |   K (v2)      | 20
 * +-------------------------------+---------------+---------------+
 */

/** Byte offsets of every field. */
export const Offset = {
  VERSION_FLAGS: 0,
  TOKEN: 1,
  SEQUENCE: 2,
  TIMESTAMP: 4,
  SRC_IP: 8,
  DST_IP: 12,
  SRC_PORT: 16,
  DST_PORT: 18,
  FEC_BLOCK: 20,
  FEC_INDEX: 22,
  FEC_K: 23,
} as const;

export const HEADER_V1_LEN = 20;
/** Deployed v2 carries a 4-byte FEC extension (the seed's 6-byte form was never deployed). */
export const HEADER_V2_LEN = 24;

/** Flag bits in the low nibble of byte 0. */
export const Flag = {
  KEEPALIVE: 0x1,
  HANDSHAKE: 0x2,
  FIN: 0x4,
  FRAGMENT: 0x8,
} as const;

/** Largest K (data packets per FEC block) that a receiver accepts. */
export const FEC_MAX_K = 16;
/** Smallest K an encoder uses; a partial block's parity may carry K = 1. */
export const FEC_MIN_K = 2;

/** FEC extension of a v2 header. `index >= k` marks the parity packet (senders use index = k). */
export interface FecExtension {
  blockId: number;
  index: number;
  k: number;
}

interface HeaderFields {
  flags: number;
  token: number;
  sequence: number;
  /** Microseconds, u32, wrapping. */
  timestampUs: number;
  /** IPv4 as u32 (see `parseIpv4`). */
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
}

export interface HeaderV1 extends HeaderFields {
  version: 1;
}

export interface HeaderV2 extends HeaderFields {
  version: 2;
  fec: FecExtension;
}

export type TunnelHeader = HeaderV1 | HeaderV2;

export type HeaderError = 'truncated' | 'unsupported-version' | 'invalid-fec-k';

export type HeaderDecodeResult =
  { ok: true; header: TunnelHeader; payloadOffset: number } | { ok: false; error: HeaderError };

/** Bytes the header of this version occupies. */
export function headerLength(version: 1 | 2): number {
  return version === 1 ? HEADER_V1_LEN : HEADER_V2_LEN;
}

/** True when a v2 extension describes the parity packet of its block. */
export function isParity(fec: FecExtension): boolean {
  return fec.index >= fec.k;
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/**
 * Writes `h` into `buf` at `offset` and returns the bytes written (20 or 24).
 * Throws RangeError for a field out of range or a buffer too small: those are caller bugs, not network input.
 */
export function encodeHeader(h: TunnelHeader, buf: Uint8Array, offset = 0): number {
  const len = h.version === 2 ? HEADER_V2_LEN : HEADER_V1_LEN;
  if (offset < 0 || offset + len > buf.length) throw new RangeError('buffer too small for header');
  checkRange('flags', h.flags, 0xf);
  checkRange('token', h.token, 0xff);
  checkRange('sequence', h.sequence, 0xffff);
  checkRange('srcPort', h.srcPort, 0xffff);
  checkRange('dstPort', h.dstPort, 0xffff);
  checkRange('srcIp', h.srcIp, 0xffffffff);
  checkRange('dstIp', h.dstIp, 0xffffffff);
  writeHeaderFields(
    buf,
    offset,
    h.version,
    h.flags,
    h.token,
    h.sequence,
    h.timestampUs,
    h.srcIp,
    h.dstIp,
    h.srcPort,
    h.dstPort,
  );
  if (h.version === 2) {
    const { blockId, index, k } = h.fec;
    checkRange('fec.blockId', blockId, 0xffff);
    checkRange('fec.index', index, 0xff);
    if (!Number.isInteger(k) || k < 1 || k > FEC_MAX_K) throw new RangeError(`fec.k must be 1..${FEC_MAX_K}`);
    writeFecExtension(buf, offset, blockId, index, k);
  }
  return len;
}

/**
 * Reads a header from `buf[offset .. offset+length)`. Never throws: bad input yields `{ ok: false }`.
 * Packets shorter than their header, versions other than 1 and 2, and K of 0 or above 16 are rejected,
 * as deployed relays reject them.
 */
export function decodeHeader(buf: Uint8Array, offset = 0, length = buf.length - offset): HeaderDecodeResult {
  const check = checkHeader(buf, offset, length);
  if (check < 0) return { ok: false, error: HEADER_ERRORS[-check - 1]! };
  const b0 = buf[offset + Offset.VERSION_FLAGS]!;
  if (check === 1) {
    return { ok: true, header: readFields(buf, offset, 1, b0), payloadOffset: offset + HEADER_V1_LEN };
  }
  const header = readFields(buf, offset, 2, b0) as HeaderV2;
  header.fec = {
    blockId: readU16(buf, offset + Offset.FEC_BLOCK),
    index: buf[offset + Offset.FEC_INDEX]!,
    k: buf[offset + Offset.FEC_K]!,
  };
  return { ok: true, header, payloadOffset: offset + HEADER_V2_LEN };
}

const HEADER_ERRORS: readonly HeaderError[] = ['truncated', 'unsupported-version', 'invalid-fec-k'];

/**
 * The checks of `decodeHeader` without building anything, for per-packet paths that read fields in place:
 * returns the version (1 or 2) of a header that deployed relays would accept, or a negative code
 * (-1 truncated, -2 unsupported version, -3 invalid K).
 */
export function checkHeader(buf: Uint8Array, offset = 0, length = buf.length - offset): 1 | 2 | -1 | -2 | -3 {
  if (length < HEADER_V1_LEN || offset < 0 || offset + length > buf.length) return -1;
  const version = buf[offset + Offset.VERSION_FLAGS]! >>> 4;
  if (version === 1) return 1;
  if (version !== 2) return -2;
  if (length < HEADER_V2_LEN) return -1;
  const k = buf[offset + Offset.FEC_K]!;
  return k === 0 || k > FEC_MAX_K ? -3 : 2;
}

// One object literal per decode (no spreads): this runs for every packet a relay sees.
function readFields(buf: Uint8Array, offset: number, version: 1 | 2, b0: number): TunnelHeader {
  return {
    version,
    flags: b0 & 0xf,
    token: buf[offset + Offset.TOKEN]!,
    sequence: readU16(buf, offset + Offset.SEQUENCE),
    timestampUs: readU32(buf, offset + Offset.TIMESTAMP),
    srcIp: readU32(buf, offset + Offset.SRC_IP),
    dstIp: readU32(buf, offset + Offset.DST_IP),
    srcPort: readU16(buf, offset + Offset.SRC_PORT),
    dstPort: readU16(buf, offset + Offset.DST_PORT),
  } as TunnelHeader;
}

/**
 * Writes the 20 common header bytes at `offset` from plain numbers, with no checks and no object: for hot
 * paths whose values are already in range (a relay stamping replies). `encodeHeader` is the checked form.
 */
export function writeHeaderFields(
  buf: Uint8Array,
  offset: number,
  version: 1 | 2 | 3,
  flags: number,
  token: number,
  sequence: number,
  timestampUs: number,
  srcIp: number,
  dstIp: number,
  srcPort: number,
  dstPort: number,
): void {
  buf[offset + Offset.VERSION_FLAGS] = (version << 4) | flags;
  buf[offset + Offset.TOKEN] = token;
  buf[offset + Offset.SEQUENCE] = sequence >>> 8;
  buf[offset + Offset.SEQUENCE + 1] = sequence & 0xff;
  writeU32(buf, offset + Offset.TIMESTAMP, timestampUs >>> 0);
  writeU32(buf, offset + Offset.SRC_IP, srcIp);
  writeU32(buf, offset + Offset.DST_IP, dstIp);
  buf[offset + Offset.SRC_PORT] = srcPort >>> 8;
  buf[offset + Offset.SRC_PORT + 1] = srcPort & 0xff;
  buf[offset + Offset.DST_PORT] = dstPort >>> 8;
  buf[offset + Offset.DST_PORT + 1] = dstPort & 0xff;
}

/** Writes the 4-byte v2 FEC extension (bytes 20-23 of the header at `offset`), unchecked. */
export function writeFecExtension(
  buf: Uint8Array,
  offset: number,
  blockId: number,
  index: number,
  k: number,
): void {
  buf[offset + Offset.FEC_BLOCK] = blockId >>> 8;
  buf[offset + Offset.FEC_BLOCK + 1] = blockId & 0xff;
  buf[offset + Offset.FEC_INDEX] = index;
  buf[offset + Offset.FEC_K] = k;
}

/** A v1 keepalive: flags KEEPALIVE, zeroed addresses, no payload. */
export function keepaliveHeader(sequence: number, timestampUs: number, token = 0): HeaderV1 {
  return {
    version: 1,
    flags: Flag.KEEPALIVE,
    token,
    sequence,
    timestampUs: timestampUs >>> 0,
    srcIp: 0,
    dstIp: 0,
    srcPort: 0,
    dstPort: 0,
  };
}

/** The reply to `h`: source and destination swapped, everything else kept. */
export function responseHeader<H extends TunnelHeader>(h: H): H {
  return { ...h, srcIp: h.dstIp, dstIp: h.srcIp, srcPort: h.dstPort, dstPort: h.srcPort };
}

/** `h` carrying a session token. */
export function withToken<H extends TunnelHeader>(h: H, token: number): H {
  return { ...h, token };
}

/** Writes a u32 big-endian; exported because relays stamp headers in place. */
export function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}

export function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

export function readU16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}
