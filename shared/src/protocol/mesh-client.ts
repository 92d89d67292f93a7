/**
 * Client ↔ entry relay frame of a mesh session (docs/mesh.md). Version nibble 4: deployed relays drop any
 * version other than 1 and 2 silently, and a LightSpeed relay without `[mesh]` counts it malformed and drops
 * it, so only a mesh relay ever acts on it. A client that names no exit never sends one: its traffic is v1/v2
 * exactly as before.
 *
 *  0       1       2       3       4 ............ 11  12 ...... 15  16 .. 17  18     19 .. 19+L
 * +-------+-------+---------------+------------------+------------+---------+------+-----------+---------
 * |0x4|knd| token/ |  sequence    |  session id (8)   |  IPv4      |  port   |  L   | exit id   | payload
 * |       | status |  (u16)       |                   |            |         |      | (L bytes) |
 * +-------+-------+---------------+------------------+------------+---------+------+-----------+---------
 *
 * Client → entry: byte 1 = session token (0 without auth), IPv4/port = the game server, exit id = the node
 * that owns the game-server-facing socket. Entry → client: byte 1 = status (bit 0: the entry has a route to
 * the exit), IPv4/port = the game server (source of the reply), L = 0. The sequence is per sender: the
 * client's for data up, the exit's for data down (so duplicates over two entries carry the same number), and
 * a keepalive answer echoes the keepalive's. Status bits 1 and 2 and kind 5 (FEC) negotiate FEC on this leg:
 * a client sends FEC frames only to an entry whose keepalive answers set bit 1, and an entry answers in FEC
 * only a session whose client does.
 */

export const MESH_CLIENT_VERSION = 4;
export const MESH_CLIENT_HEADER_LEN = 19;
/** Longest exit node id on the wire (bytes of UTF-8). */
export const MESH_NODE_ID_MAX = 64;

export const MeshKind = {
  DATA: 0,
  KEEPALIVE: 1,
  /** Which exits the entry's mesh offers for the game server, with their legs (mesh-exits.ts). */
  EXITS: 2,
  FIN: 4,
  /**
   * FEC on this leg (docs/mesh.md): the payload is a `FecChannel` datagram whose messages are whole DATA
   * frames; the sequence is the client's channel epoch (the entry echoes it); L = 0, port 0; IPv4 0 up, and
   * down the random nonzero id of the entry's channel (a new id: the entry restarted and adopted the epoch).
   */
  FEC: 5,
} as const;
export type MeshKindValue = (typeof MeshKind)[keyof typeof MeshKind];

/** Status bit of an entry's keepalive answer: it has a route to the exit the keepalive named. */
export const MESH_STATUS_EXIT_REACHABLE = 0x1;
/** Status bit of a keepalive answer: the entry speaks FEC on the client leg (a client may send FEC frames). */
export const MESH_STATUS_FEC = 0x2;
/** Status bit of a keepalive answer: the entry holds a FEC channel for this session (cleared by a restart). */
export const MESH_STATUS_FEC_HELD = 0x4;

export interface MeshClientFrame {
  kind: MeshKindValue;
  /** Client → entry: session token. Entry → client: status bits. */
  tokenOrStatus: number;
  seq: number;
  /** 8 bytes, chosen at random by the client; the same through every entry. */
  sessionId: Uint8Array;
  ip: number;
  port: number;
  exit: string;
  payload: Uint8Array;
}

export type MeshClientDecode =
  { ok: true; frame: MeshClientFrame } | { ok: false; error: 'truncated' | 'version' | 'kind' | 'exit-id' };

const KINDS = new Set<number>([
  MeshKind.DATA,
  MeshKind.KEEPALIVE,
  MeshKind.EXITS,
  MeshKind.FIN,
  MeshKind.FEC,
]);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a frame into a new buffer. Throws on an exit id over 64 bytes or a session id not 8 bytes. */
export function encodeMeshClientFrame(f: MeshClientFrame): Uint8Array {
  const exit = encoder.encode(f.exit);
  if (exit.length > MESH_NODE_ID_MAX) throw new RangeError('exit node id over 64 bytes');
  if (f.sessionId.length !== 8) throw new RangeError('session id must be 8 bytes');
  const out = new Uint8Array(MESH_CLIENT_HEADER_LEN + exit.length + f.payload.length);
  const view = new DataView(out.buffer);
  out[0] = (MESH_CLIENT_VERSION << 4) | f.kind;
  out[1] = f.tokenOrStatus & 0xff;
  view.setUint16(2, f.seq & 0xffff);
  out.set(f.sessionId, 4);
  view.setUint32(12, f.ip >>> 0);
  view.setUint16(16, f.port & 0xffff);
  out[18] = exit.length;
  out.set(exit, MESH_CLIENT_HEADER_LEN);
  out.set(f.payload, MESH_CLIENT_HEADER_LEN + exit.length);
  return out;
}

/** Decodes without throwing; the payload and session id are views into `buf`. */
export function decodeMeshClientFrame(buf: Uint8Array): MeshClientDecode {
  if (buf.length < MESH_CLIENT_HEADER_LEN) return { ok: false, error: 'truncated' };
  const b0 = buf[0]!;
  if (b0 >> 4 !== MESH_CLIENT_VERSION) return { ok: false, error: 'version' };
  const kind = b0 & 0xf;
  if (!KINDS.has(kind)) return { ok: false, error: 'kind' };
  const len = buf[18]!;
  if (len > MESH_NODE_ID_MAX) return { ok: false, error: 'exit-id' };
  if (buf.length < MESH_CLIENT_HEADER_LEN + len) return { ok: false, error: 'truncated' };
  let exit: string;
  try {
    exit = decoder.decode(buf.subarray(MESH_CLIENT_HEADER_LEN, MESH_CLIENT_HEADER_LEN + len));
  } catch {
    return { ok: false, error: 'exit-id' };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    ok: true,
    frame: {
      kind: kind as MeshKindValue,
      tokenOrStatus: buf[1]!,
      seq: view.getUint16(2),
      sessionId: buf.subarray(4, 12),
      ip: view.getUint32(12),
      port: view.getUint16(16),
      exit,
      payload: buf.subarray(MESH_CLIENT_HEADER_LEN + len),
    },
  };
}

/** The session id as 16 hex digits (a map key). */
export function meshSessionKey(id: Uint8Array): string {
  let s = '';
  for (const b of id) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/**
 * Duplicate filter over a sender's u16 sequence (multipath delivers most packets twice): remembers the last
 * 1024 numbers; anything older is treated as a duplicate (a stale copy is worth less than a missing one).
 */
export class MeshDuplicateFilter {
  private static readonly WINDOW = 1024;
  private highest = -1;
  private readonly seen = new Uint8Array(MeshDuplicateFilter.WINDOW);
  duplicates = 0;

  /** True the first time `seq` is seen. */
  accept(seq: number): boolean {
    const W = MeshDuplicateFilter.WINDOW;
    if (this.highest < 0) {
      this.highest = seq & 0xffff;
      this.seen[this.highest % W] = 1;
      return true;
    }
    const delta = ((seq - (this.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    if (delta > 0) {
      if (delta >= W) this.seen.fill(0);
      else for (let i = 1; i <= delta; i++) this.seen[(this.highest + i) % W] = 0;
      this.highest += delta;
      this.seen[this.highest % W] = 1;
      return true;
    }
    if (-delta >= W) {
      this.duplicates++;
      return false;
    }
    const slot = (((this.highest + delta) % W) + W) % W;
    if (this.seen[slot]) {
      this.duplicates++;
      return false;
    }
    this.seen[slot] = 1;
    return true;
  }
}
