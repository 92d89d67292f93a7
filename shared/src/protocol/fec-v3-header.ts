/**
 * The v3 header. Deployed relays drop version 3 (they accept only 1 and 2, and nothing under 20 bytes),
 * and LightSpeed sends v3 only on a session whose relay accepted the v3 offer, so this layout is read only
 * by peers that asked for it. Two shapes, told apart by flag 0x8 (FRAGMENT in v1/v2, never set there):
 *
 * Source packet (24 bytes, flags 0): the v1/v2 layout — bytes 0–19 as in v1 — then
 *   20-21  u16  id     the source packet's id (per sender, wraps)
 *   22     u8   kind   0 (source)
 *   23     u8   0
 *
 * Repair or report packet (8 bytes, flags 0x8): no timestamp and no addresses (a repair only rebuilds
 * packets of the session, which already has its destination)
 *   0      u8   0x38 (version 3, flag 0x8)
 *   1      u8   session token
 *   2-3    u16  sequence (the sender's one sequence space, shared with source packets)
 *   4-5    u16  id     repair: the newest source id it covers; report: 0
 *   6      u8   kind   bits 7-6: 1 repair, 2 report; bits 5-0: repair: W − 1 (W = 1..64); report: 0
 *   7      u8   key    repair: names its coefficients (0..127; the high bit is reserved, 0); report: 0
 */
import { checkHeader } from './header.js';

/** A v3 source packet's header. */
export const HEADER_V3_LEN = 24;
/** A v3 repair or report packet's header. */
export const HEADER_V3_COMPACT_LEN = 8;
/** Flag of the compact v3 shape. */
export const V3_COMPACT_FLAG = 0x8;
/** Version nibble of a v3 packet. */
export const FEC_V3_VERSION = 3;
/** Most source packets one repair may cover (the field holds W − 1 in 6 bits). */
export const FEC_V3_MAX_W = 64;

export const V3Kind = { SOURCE: 0, REPAIR: 1, REPORT: 2 } as const;
export type V3KindValue = (typeof V3Kind)[keyof typeof V3Kind];

/** Offsets of the v3 fields: a source's extension sits at 20, a compact packet's at 4. */
export const V3Offset = { SOURCE_EXT: 20, COMPACT_EXT: 4 } as const;

/** The v3 extension, read in place. */
export interface V3Extension {
  kind: V3KindValue;
  /** Source id, or the newest id a repair covers (u16). */
  id: number;
  /** Source packets a repair covers (1..64); 0 for source and report. */
  w: number;
  /** Repair key (0..127); 0 for source and report. */
  key: number;
  /** Where the payload starts (24 or 8). */
  payloadOffset: number;
}

export type V3HeaderError = 'truncated' | 'not-v3' | 'invalid-kind';

/**
 * Reads the extension of a v3 data datagram into `out` (no allocation). Returns null when it is valid,
 * else why not: too short for its shape, another version, a flag other than 0x8, kind 3, a source in the
 * compact shape (or a repair/report in the source shape), or non-zero reserved bits.
 */
export function readV3Extension(buf: Uint8Array, out: V3Extension): V3HeaderError | null {
  if (buf.length < 1) return 'truncated';
  const b0 = buf[0]!;
  if (b0 >>> 4 !== FEC_V3_VERSION) return 'not-v3';
  const flags = b0 & 0xf;
  if (flags !== 0 && flags !== V3_COMPACT_FLAG) return 'invalid-kind';
  const compact = flags === V3_COMPACT_FLAG;
  const len = compact ? HEADER_V3_COMPACT_LEN : HEADER_V3_LEN;
  if (buf.length < len) return 'truncated';
  const at = compact ? V3Offset.COMPACT_EXT : V3Offset.SOURCE_EXT;
  const b = buf[at + 2]!;
  const kind = b >>> 6;
  const low = b & 0x3f;
  const key = buf[at + 3]!;
  if (compact ? kind === V3Kind.SOURCE || kind === 3 : kind !== V3Kind.SOURCE) return 'invalid-kind';
  if (kind === V3Kind.REPAIR ? key > 0x7f : low !== 0 || key !== 0) return 'invalid-kind';
  out.kind = kind as V3KindValue;
  out.id = (buf[at]! << 8) | buf[at + 1]!;
  out.w = kind === V3Kind.REPAIR ? low + 1 : 0;
  out.key = key;
  out.payloadOffset = len;
  return null;
}

/**
 * Writes a v3 extension (unchecked: values come from our own encoder): at byte 20 for a source, at byte 4
 * for a repair or report, whose first byte it also sets to 0x38.
 */
export function writeV3Extension(
  buf: Uint8Array,
  kind: V3KindValue,
  id: number,
  w: number,
  key: number,
): void {
  const at = kind === V3Kind.SOURCE ? V3Offset.SOURCE_EXT : V3Offset.COMPACT_EXT;
  if (kind !== V3Kind.SOURCE) buf[0] = (FEC_V3_VERSION << 4) | V3_COMPACT_FLAG;
  buf[at] = (id >>> 8) & 0xff;
  buf[at + 1] = id & 0xff;
  buf[at + 2] = (kind << 6) | (kind === V3Kind.REPAIR ? (w - 1) & 0x3f : 0);
  buf[at + 3] = kind === V3Kind.REPAIR ? key & 0x7f : 0;
}

/**
 * `checkHeader` for peers that negotiated v3: 1, 2 or 3 for a header LightSpeed accepts, else the same
 * negative codes (-1 truncated, -2 unsupported version, -3 invalid K). `checkHeader` itself stays as
 * deployed relays behave: v3 is unsupported there.
 */
export function checkTunnelHeader(buf: Uint8Array): 1 | 2 | 3 | -1 | -2 | -3 {
  if (buf.length > 0 && buf[0]! >>> 4 === FEC_V3_VERSION) {
    const min = (buf[0]! & V3_COMPACT_FLAG) !== 0 ? HEADER_V3_COMPACT_LEN : HEADER_V3_LEN;
    return buf.length >= min ? 3 : -1;
  }
  return checkHeader(buf);
}

/** True for a v3 repair or report (the compact shape), which carries no addresses. */
export function isV3Compact(buf: Uint8Array): boolean {
  return buf.length > 0 && buf[0]! >>> 4 === FEC_V3_VERSION && (buf[0]! & V3_COMPACT_FLAG) !== 0;
}
