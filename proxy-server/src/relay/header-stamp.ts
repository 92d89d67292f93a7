import { Offset, writeU32 } from '@lightspeed/shared';

/**
 * Writes a tunnel header in place without building a header object: the relay stamps one per reply, so
 * this avoids the allocation and range checks of `encodeHeader` (every value here comes from the relay).
 */
export function stampHeader(
  buf: Uint8Array,
  version: 1 | 2,
  flags: number,
  token: number,
  sequence: number,
  timestampUs: number,
  srcIp: number,
  dstIp: number,
  srcPort: number,
  dstPort: number,
): void {
  buf[Offset.VERSION_FLAGS] = (version << 4) | flags;
  buf[Offset.TOKEN] = token;
  buf[Offset.SEQUENCE] = sequence >>> 8;
  buf[Offset.SEQUENCE + 1] = sequence & 0xff;
  writeU32(buf, Offset.TIMESTAMP, timestampUs);
  writeU32(buf, Offset.SRC_IP, srcIp);
  writeU32(buf, Offset.DST_IP, dstIp);
  buf[Offset.SRC_PORT] = srcPort >>> 8;
  buf[Offset.SRC_PORT + 1] = srcPort & 0xff;
  buf[Offset.DST_PORT] = dstPort >>> 8;
  buf[Offset.DST_PORT + 1] = dstPort & 0xff;
}

/** Writes the v2 FEC extension after a stamped header. */
export function stampFec(buf: Uint8Array, blockId: number, index: number, k: number): void {
  buf[Offset.FEC_BLOCK] = blockId >>> 8;
  buf[Offset.FEC_BLOCK + 1] = blockId & 0xff;
  buf[Offset.FEC_INDEX] = index;
  buf[Offset.FEC_K] = k;
}

const TIME_ORIGIN_MS = performance.timeOrigin;

/** The relay's own timestamp in µs (u32, wrapping) for a `performance.now()` reading. */
export function timestampUs(nowMs: number): number {
  return ((TIME_ORIGIN_MS + nowMs) * 1000) >>> 0;
}
