/**
 * Minimal protobuf wire-format reader, enough to walk Battle.net's product.db without its .proto.
 * Returns undefined for malformed input instead of throwing.
 */

export interface PbField {
  no: number;
  /** Varint (wire type 0) as bigint, or the bytes of a length-delimited field (wire type 2). */
  value: bigint | Uint8Array;
}

/** Decodes the top-level fields of one message; undefined when the bytes are not valid protobuf. */
export function readMessage(buf: Uint8Array): PbField[] | undefined {
  const fields: PbField[] = [];
  let pos = 0;
  const varint = (): bigint | undefined => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) return undefined;
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    return undefined;
  };
  while (pos < buf.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) return undefined;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return undefined;
      fields.push({ no, value: v });
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined || len > BigInt(buf.length - pos)) return undefined;
      fields.push({ no, value: buf.subarray(pos, pos + Number(len)) });
      pos += Number(len);
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return undefined;
    } else {
      return undefined; // groups (3, 4) are not used by product.db; anything else is corruption
    }
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The first length-delimited field `no` decoded as UTF-8, if any. */
export function stringField(fields: PbField[], no: number): string | undefined {
  const f = fields.find((x) => x.no === no && x.value instanceof Uint8Array);
  if (!f) return undefined;
  try {
    return utf8.decode(f.value as Uint8Array);
  } catch {
    return undefined;
  }
}

/** Every length-delimited field `no` decoded as a sub-message (undecodable ones are left out). */
export function messageFields(fields: PbField[], no: number): PbField[][] {
  const out: PbField[][] = [];
  for (const f of fields) {
    if (f.no !== no || !(f.value instanceof Uint8Array)) continue;
    const sub = readMessage(f.value);
    if (sub) out.push(sub);
  }
  return out;
}
