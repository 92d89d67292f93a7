/**
 * Inter-relay mesh frame (docs/mesh.md), pure: the cleartext envelope and the sealed message inside it.
 *
 * Envelope (all integers big-endian):
 *   0        u8   MESH_WIRE_VERSION (0xA1)
 *   1        u8   L = length of the sender's node id (1..64)
 *   2        L    sender node id (UTF-8)
 *   2+L      8    epoch: the sender's start time, ms since 1970 (orders restarts for the replay window)
 *   10+L     12   nonce: 4 random bytes chosen at start ‖ u64 counter (never repeats within an epoch)
 *   22+L     n    ChaCha20-Poly1305 ciphertext of the message (n >= 1)
 *   end-16   16   Poly1305 tag
 * The additional authenticated data is bytes 0 .. 22+L: the sender id, epoch and nonce are all authenticated.
 *
 * Message (the plaintext), first byte the type:
 *   PING   1  u32 probe seq ‖ f64 sender time (ms)
 *   PONG   2  u32 probe seq ‖ f64 the PING's time, echoed
 *   LSA    3  origin id ‖ u32 lsa seq ‖ u8 count ‖ count × (neighbour id ‖ u32 rtt µs ‖ u16 loss ‱)
 *   DATA   4  session id (8) ‖ u8 ttl ‖ u16 client seq ‖ u32 dst IPv4 ‖ u16 dst port ‖ entry id ‖ exit id ‖ payload
 *   REPLY  5  session id (8) ‖ u8 ttl ‖ u16 exit seq ‖ u32 src IPv4 ‖ u16 src port ‖ entry id ‖ payload
 *   FIN    6  session id (8) ‖ u8 ttl ‖ exit id
 *   (7 is hop FEC: hop-fec.ts)
 *   LEGQ   8  u8 ttl ‖ from id ‖ to id ‖ u32 server IPv4 ‖ u16 port        (what is your leg to this server?)
 *   LEGA   9  u8 ttl ‖ from id ‖ to id ‖ u32 server IPv4 ‖ u16 port ‖ u32 leg µs (0xffffffff unknown) ‖ region id
 * An "id" is u8 length (1..64) ‖ UTF-8 bytes.
 */

export const MESH_WIRE_VERSION = 0xa1;
export const MESH_ID_MAX = 64;
export const EPOCH_LEN = 8;
export const NONCE_LEN = 12;
export const TAG_LEN = 16;
/** Hops a forwarded DATA/REPLY/FIN may take before it is dropped (loops cannot live forever). */
export const MESH_TTL = 16;

export const MsgType = {
  PING: 1,
  PONG: 2,
  LSA: 3,
  DATA: 4,
  REPLY: 5,
  FIN: 6,
  LEG_QUERY: 8,
  LEG_ANSWER: 9,
} as const;

export interface LsaEntry {
  peer: string;
  rttUs: number;
  /** Loss in units of 1/10000. */
  lossBp: number;
}

export type MeshMessage =
  | { type: typeof MsgType.PING | typeof MsgType.PONG; seq: number; time: number }
  | { type: typeof MsgType.LSA; origin: string; lsaSeq: number; entries: LsaEntry[] }
  | {
      type: typeof MsgType.DATA;
      sessionId: Uint8Array;
      ttl: number;
      seq: number;
      ip: number;
      port: number;
      entry: string;
      exit: string;
      payload: Uint8Array;
    }
  | {
      type: typeof MsgType.REPLY;
      sessionId: Uint8Array;
      ttl: number;
      seq: number;
      ip: number;
      port: number;
      entry: string;
      payload: Uint8Array;
    }
  | { type: typeof MsgType.FIN; sessionId: Uint8Array; ttl: number; exit: string }
  | { type: typeof MsgType.LEG_QUERY; ttl: number; from: string; to: string; ip: number; port: number }
  | {
      type: typeof MsgType.LEG_ANSWER;
      ttl: number;
      from: string;
      to: string;
      ip: number;
      port: number;
      legUs: number;
      region: string;
    };

export interface Envelope {
  sender: string;
  epoch: number;
  nonce: Uint8Array;
  /** Bytes 0 .. 22+L (the additional authenticated data). */
  aad: Uint8Array;
  /** Ciphertext followed by the tag. */
  sealed: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a node id; throws when it is empty or over 64 bytes. */
export function idBytes(id: string): Uint8Array {
  const b = enc.encode(id);
  if (b.length === 0 || b.length > MESH_ID_MAX) throw new RangeError(`node id must be 1..64 bytes: ${id}`);
  return b;
}

/** Writes the envelope header (everything before the ciphertext); returns it. */
export function encodeEnvelopeHeader(sender: Uint8Array, epoch: number, nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + sender.length + EPOCH_LEN + NONCE_LEN);
  const view = new DataView(out.buffer);
  out[0] = MESH_WIRE_VERSION;
  out[1] = sender.length;
  out.set(sender, 2);
  view.setBigUint64(2 + sender.length, BigInt(epoch));
  out.set(nonce, 2 + sender.length + EPOCH_LEN);
  return out;
}

/** Splits a datagram into its envelope; null when it cannot be one (wrong version, lengths, bad id). */
export function decodeEnvelope(buf: Uint8Array): Envelope | null {
  if (buf.length < 2 || buf[0] !== MESH_WIRE_VERSION) return null;
  const l = buf[1]!;
  if (l === 0 || l > MESH_ID_MAX) return null;
  const headerLen = 2 + l + EPOCH_LEN + NONCE_LEN;
  if (buf.length < headerLen + 1 + TAG_LEN) return null;
  let sender: string;
  try {
    sender = dec.decode(buf.subarray(2, 2 + l));
  } catch {
    return null;
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const epoch = view.getBigUint64(2 + l);
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    sender,
    epoch: Number(epoch),
    nonce: buf.subarray(2 + l + EPOCH_LEN, headerLen),
    aad: buf.subarray(0, headerLen),
    sealed: buf.subarray(headerLen),
  };
}

/** The nonce's counter (bytes 4..11), or -1 when it is beyond 2^53. */
export function nonceCounter(nonce: Uint8Array): number {
  const view = new DataView(nonce.buffer, nonce.byteOffset, nonce.byteLength);
  const hi = view.getUint32(4);
  const lo = view.getUint32(8);
  if (hi >= 0x200000) return -1;
  return hi * 0x1_0000_0000 + lo;
}

/** Writes a nonce: the sender's random prefix and the counter. */
export function makeNonce(prefix: Uint8Array, counter: number): Uint8Array {
  const out = new Uint8Array(NONCE_LEN);
  out.set(prefix.subarray(0, 4), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, Math.floor(counter / 0x1_0000_0000));
  view.setUint32(8, counter >>> 0);
  return out;
}

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  len = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.len, v & 0xffff);
    this.len += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v >>> 0);
    this.len += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  id(s: string): void {
    const b = idBytes(s);
    this.u8(b.length);
    this.bytes(b);
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new MalformedMessage();
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at);
    this.at += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  id(): string {
    const n = this.u8();
    if (n === 0 || n > MESH_ID_MAX) throw new MalformedMessage();
    try {
      return dec.decode(this.bytes(n));
    } catch {
      throw new MalformedMessage();
    }
  }
  rest(): Uint8Array {
    const b = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return b;
  }
  end(): void {
    if (this.at !== this.buf.length) throw new MalformedMessage();
  }
}

class MalformedMessage extends Error {}

/** Most neighbours one LSA may list (a bigger mesh needs a different flooding scheme anyway). */
export const LSA_MAX_ENTRIES = 64;

/** Encodes a message (the plaintext of a frame). Throws RangeError on an id that cannot be encoded. */
export function encodeMessage(m: MeshMessage): Uint8Array {
  const w = new Writer(64 + ('payload' in m ? m.payload.length : 0));
  w.u8(m.type);
  switch (m.type) {
    case MsgType.PING:
    case MsgType.PONG:
      w.u32(m.seq);
      w.f64(m.time);
      break;
    case MsgType.LSA:
      if (m.entries.length > LSA_MAX_ENTRIES) throw new RangeError('too many LSA entries');
      w.id(m.origin);
      w.u32(m.lsaSeq);
      w.u8(m.entries.length);
      for (const e of m.entries) {
        w.id(e.peer);
        w.u32(Math.min(0xffffffff, Math.max(0, Math.round(e.rttUs))));
        w.u16(Math.min(10000, Math.max(0, Math.round(e.lossBp))));
      }
      break;
    case MsgType.DATA:
      w.bytes(m.sessionId);
      w.u8(m.ttl);
      w.u16(m.seq);
      w.u32(m.ip);
      w.u16(m.port);
      w.id(m.entry);
      w.id(m.exit);
      w.bytes(m.payload);
      break;
    case MsgType.REPLY:
      w.bytes(m.sessionId);
      w.u8(m.ttl);
      w.u16(m.seq);
      w.u32(m.ip);
      w.u16(m.port);
      w.id(m.entry);
      w.bytes(m.payload);
      break;
    case MsgType.FIN:
      w.bytes(m.sessionId);
      w.u8(m.ttl);
      w.id(m.exit);
      break;
    case MsgType.LEG_QUERY:
    case MsgType.LEG_ANSWER:
      w.u8(m.ttl);
      w.id(m.from);
      w.id(m.to);
      w.u32(m.ip);
      w.u16(m.port);
      if (m.type === MsgType.LEG_ANSWER) {
        w.u32(Math.min(0xffffffff, Math.max(0, Math.round(m.legUs))));
        w.id(m.region);
      }
      break;
  }
  return w.done();
}

/** Decodes a plaintext message; null for anything malformed (never throws). */
export function decodeMessage(buf: Uint8Array): MeshMessage | null {
  try {
    const r = new Reader(buf);
    const type = r.u8();
    switch (type) {
      case MsgType.PING:
      case MsgType.PONG: {
        const seq = r.u32();
        const time = r.f64();
        r.end();
        if (!Number.isFinite(time)) return null;
        return { type, seq, time };
      }
      case MsgType.LSA: {
        const origin = r.id();
        const lsaSeq = r.u32();
        const count = r.u8();
        if (count > LSA_MAX_ENTRIES) return null;
        const entries: LsaEntry[] = [];
        for (let i = 0; i < count; i++) {
          const peer = r.id();
          const rttUs = r.u32();
          const lossBp = r.u16();
          if (lossBp > 10000) return null;
          entries.push({ peer, rttUs, lossBp });
        }
        r.end();
        return { type, origin, lsaSeq, entries };
      }
      case MsgType.DATA: {
        const sessionId = r.bytes(8);
        const ttl = r.u8();
        const seq = r.u16();
        const ip = r.u32();
        const port = r.u16();
        const entry = r.id();
        const exit = r.id();
        return { type, sessionId, ttl, seq, ip, port, entry, exit, payload: r.rest() };
      }
      case MsgType.REPLY: {
        const sessionId = r.bytes(8);
        const ttl = r.u8();
        const seq = r.u16();
        const ip = r.u32();
        const port = r.u16();
        const entry = r.id();
        return { type, sessionId, ttl, seq, ip, port, entry, payload: r.rest() };
      }
      case MsgType.FIN: {
        const sessionId = r.bytes(8);
        const ttl = r.u8();
        const exit = r.id();
        r.end();
        return { type, sessionId, ttl, exit };
      }
      case MsgType.LEG_QUERY:
      case MsgType.LEG_ANSWER: {
        const ttl = r.u8();
        const from = r.id();
        const to = r.id();
        const ip = r.u32();
        const port = r.u16();
        if (type === MsgType.LEG_QUERY) {
          r.end();
          return { type, ttl, from, to, ip, port };
        }
        const legUs = r.u32();
        const region = r.id();
        r.end();
        return { type, ttl, from, to, ip, port, legUs, region };
      }
      default:
        return null;
    }
  } catch (err) {
    if (err instanceof MalformedMessage) return null;
    throw err;
  }
}
