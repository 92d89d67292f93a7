/**
 * Control-plane messages (carried over QUIC on port 4433), exactly as deployed relays frame them:
 *
 *   +----------------+--------+------------------+
 *   | length (u16 BE)| type   | payload ...      |   length counts the type byte and the payload
 *   +----------------+--------+------------------+
 *
 *   0x01 Ping         u64 client timestamp (µs)
 *   0x02 Pong         u64 client timestamp ‖ u64 server timestamp
 *   0x03 Register     u8 protocol version ‖ u8 game id
 *   0x04 RegisterAck  u32 session id ‖ u8 session token ‖ u8 len ‖ node id ‖ u8 len ‖ region (UTF-8)
 *   0x05 Disconnect   u8 reason
 *   0x06 ServerInfo   u8 load % ‖ u32 active sessions ‖ u32 capacity
 *
 * Decoding ignores bytes after the known fields: newer upstream peers append optional extensions there.
 */

export const ControlType = {
  PING: 0x01,
  PONG: 0x02,
  REGISTER: 0x03,
  REGISTER_ACK: 0x04,
  DISCONNECT: 0x05,
  SERVER_INFO: 0x06,
} as const;

/** Game ids on the wire, as deployed. 0 means unknown. */
export const GameId = {
  UNKNOWN: 0,
  FORTNITE: 1,
  CS2: 2,
  DOTA2: 3,
  RUST: 4,
  VALORANT: 5,
  APEX_LEGENDS: 6,
  OVERWATCH2: 7,
  LEAGUE_OF_LEGENDS: 8,
  PUBG: 9,
} as const;

/** Disconnect reasons as deployed (the seed document swaps 2 and 4). */
export const DisconnectReason = {
  NORMAL: 0,
  TIMEOUT: 1,
  SERVER_SHUTDOWN: 2,
  RATE_LIMITED: 3,
  AUTH_FAILED: 4,
} as const;

export type ControlMessage =
  | { type: 'ping'; timestampUs: bigint }
  | { type: 'pong'; clientTimestampUs: bigint; serverTimestampUs: bigint }
  | { type: 'register'; protocolVersion: number; gameId: number }
  | { type: 'register-ack'; sessionId: number; token: number; nodeId: string; region: string }
  | { type: 'disconnect'; reason: number }
  | { type: 'server-info'; load: number; activeSessions: number; capacity: number };

export type ControlErrorCode = 'empty' | 'truncated' | 'unknown-type' | 'invalid-utf8' | 'oversize';

export interface ControlError {
  code: ControlErrorCode;
  message: string;
}

export type ControlDecodeResult = { ok: true; message: ControlMessage } | { ok: false; error: ControlError };

/** Largest frame body (type + payload) accepted; the biggest deployed message is 518 bytes. */
export const CONTROL_MAX_FRAME = 1024;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Encodes a message body (type byte and payload, no length prefix). */
export function encodeControlBody(msg: ControlMessage): Uint8Array {
  switch (msg.type) {
    case 'ping': {
      const out = new Uint8Array(9);
      out[0] = ControlType.PING;
      new DataView(out.buffer).setBigUint64(1, msg.timestampUs);
      return out;
    }
    case 'pong': {
      const out = new Uint8Array(17);
      out[0] = ControlType.PONG;
      const view = new DataView(out.buffer);
      view.setBigUint64(1, msg.clientTimestampUs);
      view.setBigUint64(9, msg.serverTimestampUs);
      return out;
    }
    case 'register':
      return Uint8Array.of(ControlType.REGISTER, u8(msg.protocolVersion), u8(msg.gameId));
    case 'register-ack': {
      const node = shortString(msg.nodeId);
      const region = shortString(msg.region);
      const out = new Uint8Array(1 + 4 + 1 + 1 + node.length + 1 + region.length);
      out[0] = ControlType.REGISTER_ACK;
      new DataView(out.buffer).setUint32(1, msg.sessionId >>> 0);
      out[5] = u8(msg.token);
      out[6] = node.length;
      out.set(node, 7);
      out[7 + node.length] = region.length;
      out.set(region, 8 + node.length);
      return out;
    }
    case 'disconnect':
      return Uint8Array.of(ControlType.DISCONNECT, u8(msg.reason));
    case 'server-info': {
      const out = new Uint8Array(10);
      out[0] = ControlType.SERVER_INFO;
      out[1] = u8(msg.load);
      const view = new DataView(out.buffer);
      view.setUint32(2, msg.activeSessions >>> 0);
      view.setUint32(6, msg.capacity >>> 0);
      return out;
    }
  }
}

/** Encodes a message with its u16 length prefix, ready for the stream. */
export function encodeControlFrame(msg: ControlMessage): Uint8Array {
  const body = encodeControlBody(msg);
  const out = new Uint8Array(2 + body.length);
  out[0] = body.length >>> 8;
  out[1] = body.length & 0xff;
  out.set(body, 2);
  return out;
}

/** Decodes a message body (type byte and payload). Never throws. */
export function decodeControlBody(body: Uint8Array): ControlDecodeResult {
  if (body.length === 0) return fail('empty', 'empty control message');
  if (body.length > CONTROL_MAX_FRAME) return fail('oversize', `control message of ${body.length} bytes`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const type = body[0]!;
  const need = (n: number): ControlDecodeResult | null =>
    body.length < 1 + n
      ? fail('truncated', `type 0x${hex(type)} needs ${n} payload bytes, got ${body.length - 1}`)
      : null;
  switch (type) {
    case ControlType.PING:
      return need(8) ?? ok({ type: 'ping', timestampUs: view.getBigUint64(1) });
    case ControlType.PONG:
      return (
        need(16) ??
        ok({ type: 'pong', clientTimestampUs: view.getBigUint64(1), serverTimestampUs: view.getBigUint64(9) })
      );
    case ControlType.REGISTER:
      return need(2) ?? ok({ type: 'register', protocolVersion: body[1]!, gameId: body[2]! });
    case ControlType.REGISTER_ACK: {
      const short = need(7);
      if (short) return short;
      const node = readShortString(body, 6);
      if (!node.ok) return node;
      const region = readShortString(body, node.next);
      if (!region.ok) return region;
      return ok({
        type: 'register-ack',
        sessionId: view.getUint32(1),
        token: body[5]!,
        nodeId: node.value,
        region: region.value,
      });
    }
    case ControlType.DISCONNECT:
      return need(1) ?? ok({ type: 'disconnect', reason: body[1]! });
    case ControlType.SERVER_INFO:
      return (
        need(9) ??
        ok({
          type: 'server-info',
          load: body[1]!,
          activeSessions: view.getUint32(2),
          capacity: view.getUint32(6),
        })
      );
    default:
      return fail('unknown-type', `unknown control message type 0x${hex(type)}`);
  }
}

function readShortString(
  body: Uint8Array,
  at: number,
): { ok: true; value: string; next: number } | { ok: false; error: ControlError } {
  if (at >= body.length) return fail('truncated', 'string length missing');
  const len = body[at]!;
  const end = at + 1 + len;
  if (end > body.length) return fail('truncated', `string of ${len} bytes runs past the message`);
  try {
    return { ok: true, value: utf8Decoder.decode(body.subarray(at + 1, end)), next: end };
  } catch {
    return fail('invalid-utf8', 'string is not valid UTF-8');
  }
}

function shortString(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  if (bytes.length > 255) throw new RangeError(`string of ${bytes.length} bytes exceeds 255`);
  return bytes;
}

function u8(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${value} is not a u8`);
  return value;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function ok(message: ControlMessage): ControlDecodeResult {
  return { ok: true, message };
}

function fail(code: ControlErrorCode, message: string): { ok: false; error: ControlError } {
  return { ok: false, error: { code, message } };
}
