/**
 * The exits a mesh entry offers for one game server (docs/mesh.md, "Choosing the exit"): the payload of an
 * EXITS answer (`MeshKind.EXITS`, entry → client). Pure.
 *
 * The client asks with an EXITS frame naming the game server (IPv4/port) and no exit, its payload zero
 * padding: the answer is never longer than the question, so the client pads for the room it wants
 * (`MESH_EXITS_QUERY_LEN`). Status bit 0 of the answer (`MESH_STATUS_EXITS_COMPLETE`): every node the
 * entry can reach has said what it knows of its leg.
 *
 *   u8 count ‖ count × ( u8 L ‖ node id (L bytes) ‖ u32 mesh RTT µs, entry → node (route cost)
 *                      ‖ u32 leg µs, node → game server (LEG_UNKNOWN / LEG_PENDING) ‖ u8 R ‖ region (R bytes)
 *                      ‖ u8 H (≤ 16) ‖ H × (u8 L ‖ node id): the nodes the route passes between entry and node )
 */
export const MESH_STATUS_EXITS_COMPLETE = 0x1;
/** Payload of an EXITS question: room for about twenty exits in the answer. */
export const MESH_EXITS_QUERY_LEN = 1200;
/** The node answered: it has no measurement of its leg to this server. */
export const LEG_UNKNOWN = 0xffffffff;
/** The node has not answered yet. */
export const LEG_PENDING = 0xfffffffe;

export interface MeshExit {
  node: string;
  /** The entry's route cost to the node, µs (0 for the entry itself). */
  meshRttUs: number;
  /** The node's median leg to the game server, µs, or LEG_UNKNOWN / LEG_PENDING. */
  legUs: number;
  region: string;
  /** The nodes the entry's route to this node passes through (neither end). */
  via: string[];
}

/** Most intermediate nodes an answer lists per exit. */
export const MESH_EXITS_MAX_VIA = 16;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Encodes as many exits as fit in `maxLen` bytes (in order); `complete` is false when some were left out. */
export function encodeMeshExits(
  exits: MeshExit[],
  maxLen: number,
): { payload: Uint8Array; complete: boolean } {
  const parts: Uint8Array[] = [];
  let len = 1;
  for (const e of exits) {
    const id = enc.encode(e.node);
    const region = enc.encode(e.region).subarray(0, 64);
    const via = e.via.map((v) => enc.encode(v));
    if (id.length === 0 || id.length > 64 || via.length > MESH_EXITS_MAX_VIA) continue;
    if (via.some((v) => v.length === 0 || v.length > 64)) continue;
    const viaLen = via.reduce((n, v) => n + 1 + v.length, 0);
    const part = new Uint8Array(1 + id.length + 8 + 1 + region.length + 1 + viaLen);
    const view = new DataView(part.buffer);
    part[0] = id.length;
    part.set(id, 1);
    view.setUint32(1 + id.length, Math.min(LEG_PENDING - 1, Math.max(0, Math.round(e.meshRttUs))));
    view.setUint32(
      5 + id.length,
      e.legUs >= LEG_PENDING ? e.legUs : Math.min(LEG_PENDING - 1, Math.round(e.legUs)),
    );
    part[9 + id.length] = region.length;
    part.set(region, 10 + id.length);
    let at = 10 + id.length + region.length;
    part[at++] = via.length;
    for (const v of via) {
      part[at++] = v.length;
      part.set(v, at);
      at += v.length;
    }
    if (len + part.length > maxLen || parts.length === 255) break;
    parts.push(part);
    len += part.length;
  }
  const out = new Uint8Array(len);
  out[0] = parts.length;
  let at = 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { payload: out, complete: parts.length === exits.length };
}

/** Decodes without throwing; null when malformed (trailing bytes included). */
export function decodeMeshExits(buf: Uint8Array): MeshExit[] | null {
  if (buf.length < 1) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = buf[0]!;
  const out: MeshExit[] = [];
  let at = 1;
  try {
    for (let i = 0; i < count; i++) {
      const l = buf[at];
      if (l === undefined || l === 0 || l > 64 || at + 1 + l + 9 > buf.length) return null;
      const node = dec.decode(buf.subarray(at + 1, at + 1 + l));
      const meshRttUs = view.getUint32(at + 1 + l);
      const legUs = view.getUint32(at + 5 + l);
      const r = buf[at + 9 + l]!;
      if (r > 64 || at + 10 + l + r > buf.length) return null;
      const region = dec.decode(buf.subarray(at + 10 + l, at + 10 + l + r));
      at += 10 + l + r;
      const h = buf[at++];
      if (h === undefined || h > MESH_EXITS_MAX_VIA) return null;
      const via: string[] = [];
      for (let k = 0; k < h; k++) {
        const vl = buf[at];
        if (vl === undefined || vl === 0 || vl > 64 || at + 1 + vl > buf.length) return null;
        via.push(dec.decode(buf.subarray(at + 1, at + 1 + vl)));
        at += 1 + vl;
      }
      out.push({ node, meshRttUs, legUs, region, via });
    }
  } catch {
    return null; // invalid UTF-8
  }
  return at === buf.length ? out : null;
}
