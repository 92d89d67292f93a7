/**
 * v3 sliding-window decoder: online Gauss–Jordan elimination over GF(256) on a window of the last 64
 * source ids. Received and rebuilt symbols stay in the window so later repairs can subtract them; each
 * repair becomes a row over the still-unknown sources, kept in reduced row-echelon form (one row per pivot),
 * so a source is rebuilt the moment its row has no other unknown left — by the first repair that makes it
 * solvable, not at the end of a block.
 *
 * Bounded memory: 64 source slots and at most 64 rows, each no longer than 2 + 2048 bytes (sized to what
 * arrives). Duplicates, reordering and repairs before their sources are fine; input that contradicts the
 * window (a repair shorter than a symbol it covers, a rebuilt length that does not fit) is counted as
 * invalid and never delivered. Never throws on network input. No clock: ids order everything.
 */
import { FEC_MAX_PAYLOAD } from './fec-encoder.js';
import { FEC_V3_KEYS, v3Coefficient } from './fec-v3-coefficients.js';
import { gfInv, gfMulAdd, gfScale } from './gf256.js';

/** Source ids the decoder keeps (a power of two, at least twice the encoder's largest W for reordering). */
export const FEC_V3_WINDOW = 64;
const MASK = FEC_V3_WINDOW - 1;
/** Ids remembered for duplicate suppression beyond the window. */
const SEEN = 1024;
/** Longest symbol: 2 length bytes and the largest payload. */
const MAX_SYMBOL = FEC_MAX_PAYLOAD + 2;

export interface SlidingDecoderStats {
  /** Unique source packets received. */
  received: number;
  /** Repair packets accepted. */
  repairs: number;
  /** Source packets rebuilt from repairs. */
  recovered: number;
  /** Source ids that left the window unknown. */
  lost: number;
  /** Source packets seen twice (or after they were rebuilt). */
  duplicates: number;
  /** Packets too old for the window (sources older than it are still delivered once). */
  late: number;
  /** Repairs that added nothing (every source they cover already known or solvable). */
  redundant: number;
  /** Packets inconsistent with the window. */
  invalid: number;
}

interface Row {
  /** Coefficients by slot; 1 at the pivot, 0 at every other pivot (reduced row-echelon form). */
  coef: Uint8Array;
  sym: Uint8Array;
  len: number;
}

export type SourceSink = (payload: Uint8Array, recovered: boolean) => void;

export class SlidingDecoder {
  /** Newest source id seen, unwrapped to a growing number; -1 before the first packet. */
  private head = -1;
  private readonly slotId = new Float64Array(FEC_V3_WINDOW).fill(-1);
  private readonly known = new Uint8Array(FEC_V3_WINDOW);
  private readonly symbols: Uint8Array[] = Array.from({ length: FEC_V3_WINDOW }, () => new Uint8Array(0));
  private readonly symLen = new Uint16Array(FEC_V3_WINDOW);
  private readonly rows: (Row | null)[] = new Array<Row | null>(FEC_V3_WINDOW).fill(null);
  private rowCount = 0;
  private readonly seen = new Float64Array(SEEN).fill(-1);
  private readonly counters: SlidingDecoderStats = {
    received: 0,
    repairs: 0,
    recovered: 0,
    lost: 0,
    duplicates: 0,
    late: 0,
    redundant: 0,
    invalid: 0,
  };

  /** `sink` gets every source payload once: as it arrives, or when it is rebuilt. */
  constructor(private readonly sink: SourceSink) {}

  stats(): SlidingDecoderStats {
    return { ...this.counters };
  }

  /** Invalid packets so far (without a snapshot: for per-packet paths). */
  get invalidCount(): number {
    return this.counters.invalid;
  }

  /** Ids lost so far. */
  get lostCount(): number {
    return this.counters.lost;
  }

  /** Source ids in the window still unknown (they count as lost only when they leave it). */
  pending(): number {
    if (this.head < 0) return 0;
    let n = 0;
    for (let s = 0; s < FEC_V3_WINDOW; s++) if (this.slotId[s]! >= 0 && this.known[s] === 0) n++;
    return n;
  }

  /** Bytes of payload storage held (symbols and rows): bounded by 128 × 2050 plus fixed tables. */
  retainedBytes(): number {
    let n = 0;
    for (const s of this.symbols) n += s.length;
    for (const r of this.rows) if (r !== null) n += r.sym.length + r.coef.length;
    return n;
  }

  /** A source packet (wire id, payload): 'data' when delivered, else why not. */
  source(id: number, payload: Uint8Array): 'data' | 'duplicate' | 'invalid' {
    if (payload.length > FEC_MAX_PAYLOAD) {
      this.counters.invalid++;
      return 'invalid';
    }
    const x = this.unwrap(id, 0);
    if (x > this.head) this.advance(x);
    if (x <= this.head - FEC_V3_WINDOW) {
      this.counters.late++;
      if (this.seen[x & (SEEN - 1)] === x) {
        this.counters.duplicates++;
        return 'duplicate';
      }
      this.seen[x & (SEEN - 1)] = x;
      this.counters.received++;
      this.sink(payload, false);
      return 'data';
    }
    const slot = x & MASK;
    if (this.slotId[slot] !== x) this.evict(slot, x); // an id from before the first packet
    if (this.known[slot] === 1) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.counters.received++;
    this.store(slot, x, payload.length);
    const sym = this.symbols[slot]!;
    sym[0] = payload.length >>> 8;
    sym[1] = payload.length & 0xff;
    sym.set(payload, 2);
    this.sink(payload, false);
    if (this.rowCount > 0) {
      this.substitute(slot);
      this.settle();
    }
    return 'data';
  }

  /** A repair packet: newest id covered, W, key, payload. */
  repair(end: number, w: number, key: number, payload: Uint8Array): void {
    const len = payload.length;
    if (len < 2 || len > MAX_SYMBOL || w < 1 || w > FEC_V3_WINDOW || key >= FEC_V3_KEYS) {
      this.counters.invalid++;
      return;
    }
    const e = this.unwrap(end, w);
    if (e > this.head) this.advance(e);
    if (e - w + 1 <= this.head - FEC_V3_WINDOW) {
      this.counters.late++;
      return;
    }
    // First pass, no arithmetic: on a clean link every source is known and the repair is dropped here.
    let unknown = 0;
    for (let j = 0; j < w; j++) {
      const slot = (e - j) & MASK;
      if (this.slotId[slot] !== e - j) this.evict(slot, e - j);
      if (this.known[slot] === 0) unknown++;
      else if (this.symLen[slot]! > len) {
        this.counters.invalid++;
        return;
      }
    }
    this.counters.repairs++;
    if (unknown === 0) {
      this.counters.redundant++;
      return;
    }
    const coef = new Uint8Array(FEC_V3_WINDOW);
    let sym: Uint8Array = payload.slice();
    for (let j = 0; j < w; j++) {
      const slot = (e - j) & MASK;
      const c = v3Coefficient(key, (end - j) & 0xffff);
      if (this.known[slot] === 1) gfMulAdd(sym, this.symbols[slot]!, c, this.symLen[slot]!);
      else coef[slot] = c;
    }
    const row: Row = { coef, sym, len };
    // Subtract every existing row whose pivot this one mentions: afterwards it is zero on all pivots.
    for (let s = 0; s < FEC_V3_WINDOW; s++) {
      const f = coef[s]!;
      const r = this.rows[s];
      if (f === 0 || r === undefined || r === null) continue;
      if (r.len > row.len) {
        sym = grow(row.sym, r.len);
        row.sym = sym;
        row.len = r.len;
      }
      gfMulAdd(row.coef, r.coef, f, FEC_V3_WINDOW);
      gfMulAdd(row.sym, r.sym, f, r.len);
    }
    let pivot = -1;
    for (let s = 0; s < FEC_V3_WINDOW; s++) {
      if (row.coef[s] !== 0) {
        pivot = s;
        break;
      }
    }
    if (pivot < 0) {
      this.counters.redundant++;
      return;
    }
    this.install(row, pivot);
    this.settle();
  }

  /** Makes `row` the row of `pivot`: normalised, and `pivot` cleared from every other row. */
  private install(row: Row, pivot: number): void {
    const inv = gfInv(row.coef[pivot]!);
    gfScale(row.coef, inv, FEC_V3_WINDOW);
    gfScale(row.sym, inv, row.len);
    for (let s = 0; s < FEC_V3_WINDOW; s++) {
      const q = this.rows[s];
      if (q === null || q === undefined) continue;
      const f = q.coef[pivot]!;
      if (f === 0) continue;
      if (row.len > q.len) {
        q.sym = grow(q.sym, row.len);
        q.len = row.len;
      }
      gfMulAdd(q.coef, row.coef, f, FEC_V3_WINDOW);
      gfMulAdd(q.sym, row.sym, f, row.len);
    }
    this.rows[pivot] = row;
    this.rowCount++;
  }

  /** A source in `slot` became known: subtract it from every row, re-pivoting the row it was pivot of. */
  private substitute(slot: number): void {
    const sym = this.symbols[slot]!;
    const sl = this.symLen[slot]!;
    let orphan: Row | null = null;
    for (let s = 0; s < FEC_V3_WINDOW; s++) {
      const r = this.rows[s];
      if (r === null || r === undefined) continue;
      const f = r.coef[slot]!;
      if (f === 0) continue;
      if (sl > r.len) {
        r.sym = grow(r.sym, sl);
        r.len = sl;
      }
      gfMulAdd(r.sym, sym, f, sl);
      r.coef[slot] = 0;
      if (s === slot) {
        orphan = r;
        this.rows[s] = null;
        this.rowCount--;
      }
    }
    if (orphan === null) return;
    for (let s = 0; s < FEC_V3_WINDOW; s++) {
      if (orphan.coef[s] !== 0) {
        this.install(orphan, s);
        return;
      }
    }
  }

  /** Delivers every row left with its pivot alone. */
  private settle(): void {
    for (let p = 0; p < FEC_V3_WINDOW; p++) {
      const r = this.rows[p];
      if (r === null || r === undefined) continue;
      let alone = true;
      for (let s = 0; s < FEC_V3_WINDOW; s++) {
        if (s !== p && r.coef[s] !== 0) {
          alone = false;
          break;
        }
      }
      if (!alone) continue;
      this.rows[p] = null;
      this.rowCount--;
      const len = r.len >= 2 ? (r.sym[0]! << 8) | r.sym[1]! : -1;
      let ok = len >= 0 && len + 2 <= r.len;
      for (let i = len + 2; ok && i < r.len; i++) if (r.sym[i] !== 0) ok = false;
      if (!ok) {
        // Contradictory input (or a forged repair): deliver nothing; the id is lost when it leaves.
        this.counters.invalid++;
        continue;
      }
      const x = this.slotId[p]!;
      this.store(p, x, len);
      this.symbols[p]!.set(r.sym.subarray(0, len + 2));
      this.counters.recovered++;
      this.sink(this.symbols[p]!.slice(2, len + 2), true);
    }
  }

  /** Marks `slot` (id x) known with a symbol of `len` payload bytes, sizing its buffer. */
  private store(slot: number, x: number, len: number): void {
    if (this.symbols[slot]!.length < len + 2) this.symbols[slot] = new Uint8Array(Math.max(len + 2, 64));
    this.symLen[slot] = len + 2;
    this.known[slot] = 1;
    this.seen[x & (SEEN - 1)] = x;
  }

  /**
   * The wire id as a growing number near the head. Before the first packet the head starts just below the
   * packet's window (`w` sources covered by a repair; 0 for a source), so nothing earlier counts as lost.
   */
  private unwrap(id: number, w: number): number {
    if (this.head < 0) {
      const x = (1 << 20) + (id & 0xffff);
      this.head = x - Math.max(1, w);
      return x;
    }
    let d = ((id & 0xffff) - (this.head & 0xffff)) & 0xffff;
    if (d >= 0x8000) d -= 0x10000;
    return this.head + d;
  }

  /** Moves the window so that `x` is the newest id; ids that fall out unknown are lost. */
  private advance(x: number): void {
    const from = this.head;
    const jump = x - from;
    if (jump > FEC_V3_WINDOW) this.counters.lost += jump - FEC_V3_WINDOW;
    for (let y = Math.max(from + 1, x - FEC_V3_WINDOW + 1); y <= x; y++) this.evict(y & MASK, y);
    this.head = x;
  }

  /** Hands `slot` to id `y`; its previous id, if still unknown, is lost along with the rows that need it. */
  private evict(slot: number, y: number): void {
    if (this.slotId[slot]! >= 0 && this.known[slot] === 0) {
      this.counters.lost++;
      if (this.rowCount > 0) {
        for (let s = 0; s < FEC_V3_WINDOW; s++) {
          const r = this.rows[s];
          if (r !== null && r !== undefined && r.coef[slot] !== 0) {
            this.rows[s] = null;
            this.rowCount--;
          }
        }
      }
    }
    this.slotId[slot] = y;
    this.known[slot] = 0;
    this.symLen[slot] = 0;
  }
}

function grow(buf: Uint8Array, len: number): Uint8Array {
  if (buf.length >= len) return buf;
  const out = new Uint8Array(Math.min(MAX_SYMBOL, Math.max(len, 2 * buf.length)));
  out.set(buf);
  return out;
}
