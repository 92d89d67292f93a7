/**
 * Server-leg query (LightSpeed relays only): a KEEPALIVE whose payload asks the relay how long its own
 * leg to one game server takes, measured passively from its sessions' request/response timing. The
 * relay answers in the keepalive reply's payload, with exactly as many bytes as the query carried, so
 * it can never amplify. A deployed relay answers any keepalive with a bare 20-byte header: no answer
 * means "unknown". Deployed clients never send the payload, so they see nothing new. (protocol.md §2.)
 *
 *   query  (12 bytes): 'L' 'S' 0x01 0x00 | server IPv4 (u32 BE) | server port (u16 BE) | 0x00 0x00
 *   answer (12 bytes): 'L' 'S' 0x02 known | leg median µs (u32 BE) | samples (u16 BE) | age s (u16 BE)
 */
export const SERVER_LEG_LEN = 12;
const MAGIC0 = 0x4c;
const MAGIC1 = 0x53;
const QUERY = 1;
const ANSWER = 2;

export interface ServerLegQuery {
  /** IPv4 as an unsigned 32-bit number. */
  ip: number;
  port: number;
}

export interface ServerLegAnswer {
  known: boolean;
  /** Median relay → server → relay time, µs (0..2^32-1). */
  legUs: number;
  /** Samples the median is over (saturates at 65535). */
  samples: number;
  /** Seconds since the newest sample (saturates at 65535). */
  ageS: number;
}

export function encodeServerLegQuery(q: ServerLegQuery): Uint8Array {
  const b = new Uint8Array(SERVER_LEG_LEN);
  const v = new DataView(b.buffer);
  b[0] = MAGIC0;
  b[1] = MAGIC1;
  b[2] = QUERY;
  v.setUint32(4, q.ip >>> 0);
  v.setUint16(8, q.port & 0xffff);
  return b;
}

export function decodeServerLegQuery(payload: Uint8Array): ServerLegQuery | null {
  if (
    payload.length !== SERVER_LEG_LEN ||
    payload[0] !== MAGIC0 ||
    payload[1] !== MAGIC1 ||
    payload[2] !== QUERY
  )
    return null;
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { ip: v.getUint32(4), port: v.getUint16(8) };
}

export function encodeServerLegAnswer(a: ServerLegAnswer): Uint8Array {
  const b = new Uint8Array(SERVER_LEG_LEN);
  const v = new DataView(b.buffer);
  b[0] = MAGIC0;
  b[1] = MAGIC1;
  b[2] = ANSWER;
  b[3] = a.known ? 1 : 0;
  v.setUint32(4, Math.min(0xffffffff, Math.max(0, Math.round(a.legUs))));
  v.setUint16(8, Math.min(0xffff, Math.max(0, Math.round(a.samples))));
  v.setUint16(10, Math.min(0xffff, Math.max(0, Math.round(a.ageS))));
  return b;
}

export function decodeServerLegAnswer(payload: Uint8Array): ServerLegAnswer | null {
  if (
    payload.length !== SERVER_LEG_LEN ||
    payload[0] !== MAGIC0 ||
    payload[1] !== MAGIC1 ||
    payload[2] !== ANSWER
  )
    return null;
  if (payload[3]! > 1) return null;
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { known: payload[3] === 1, legUs: v.getUint32(4), samples: v.getUint16(8), ageS: v.getUint16(10) };
}
