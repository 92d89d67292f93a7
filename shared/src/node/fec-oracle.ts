/**
 * An ideal decoder for a v3 send schedule, to tell what the schedule allows from what our code does with
 * it: the same datagrams (each repair covering the same W sources), the same losses, the same 64-id memory,
 * but generic coefficients — random over a 24-bit prime field, where a rank defect has odds of about one in
 * sixteen million, so a loss counts as rebuilt at the first arrival after which the repairs received
 * determine it, by any linear combination. Only coefficients are tracked, never payloads. Whatever this
 * decoder reaches, no linear code with these repair windows and this schedule beats it.
 */
import { Prng } from './prng.js';

/** One datagram of the direction, in send (= arrival) order. */
export interface OracleDatagram {
  /** Source: its id; repair: the newest id it covers (u16, as on the wire). */
  id: number;
  /** 0 for a source; a repair's W. */
  w: number;
  lost: boolean;
  /** Arrival time (ms, had it not been lost). */
  at: number;
}

const P = 16_777_213; // 2^24 − 3, prime: products stay below 2^53
const WINDOW = 64;

const mul = (a: number, b: number): number => (a * b) % P;
function inv(a: number): number {
  let r = 1;
  let b = a;
  for (let e = P - 2; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) r = mul(r, b);
    b = mul(b, b);
  }
  return r;
}

/** Per rebuilt source, how long after its own arrival time it became determined (ms). */
export function oracleDelays(datagrams: readonly OracleDatagram[], seed = 1): number[] {
  const rng = new Prng(seed);
  const delays: number[] = [];
  /** Unknown (lost, not yet determined) sources: unwrapped id → their arrival time. */
  const unknown = new Map<number, number>();
  /** Rows in reduced row-echelon form, by pivot id: coefficient by unwrapped id. */
  const rows = new Map<number, Map<number, number>>();
  let head = -1;
  const unwrap = (id: number): number => {
    if (head < 0) return id;
    let d = (id - (head & 0xffff)) & 0xffff;
    if (d >= 0x8000) d -= 0x10000;
    return head + d;
  };
  const advance = (x: number): void => {
    if (x <= head) return;
    head = x;
    for (const y of [...unknown.keys()]) {
      if (y > head - WINDOW) continue;
      unknown.delete(y); // lost for good, with every row that needs it
      for (const [pivot, row] of rows) if (row.has(y)) rows.delete(pivot);
    }
  };
  for (const d of datagrams) {
    const x = unwrap(d.id);
    advance(x);
    if (d.w === 0) {
      if (d.lost) unknown.set(x, d.at);
      continue;
    }
    if (d.lost) continue;
    const row = new Map<number, number>();
    for (let y = x - d.w + 1; y <= x; y++)
      if (unknown.has(y)) row.set(y, 1 + Math.floor(rng.next() * (P - 1)));
    // Subtracting a row changes this one only on its pivot and on non-pivot ids, so one pass suffices.
    for (const y of [...row.keys()]) {
      const r = rows.get(y);
      const g = row.get(y);
      if (r === undefined || g === undefined) continue;
      for (const [z, c] of r) {
        const v = ((row.get(z) ?? 0) + P - mul(g, c)) % P;
        if (v === 0) row.delete(z);
        else row.set(z, v);
      }
    }
    const pivot = row.keys().next();
    if (pivot.done === true) continue; // nothing new
    const s = inv(row.get(pivot.value)!);
    for (const [z, c] of row) row.set(z, mul(c, s));
    for (const r of rows.values()) {
      const g = r.get(pivot.value);
      if (g === undefined) continue;
      for (const [z, c] of row) {
        const v = ((r.get(z) ?? 0) + P - mul(g, c)) % P;
        if (v === 0) r.delete(z);
        else r.set(z, v);
      }
    }
    rows.set(pivot.value, row);
    // In reduced form other rows are zero on every pivot: a row alone on its pivot determines it.
    for (const [p, r] of rows) {
      if (r.size !== 1) continue;
      rows.delete(p);
      delays.push(Math.max(0, d.at - unknown.get(p)!));
      unknown.delete(p);
    }
  }
  return delays;
}

export interface IdealScheduleOptions {
  loss: number;
  /** Repairs per source, evenly spaced by credit, each right after its source and covering the last 64. */
  repairsPerSource: number;
  intervalMs: number;
  packets: number;
  seed: number;
}

/**
 * The ideal decoder on an ideal schedule: repairs at exactly `repairsPerSource` (no reports, no start-up),
 * evenly spaced, each over the whole 64-id window, iid loss on every datagram. With the budget the byte
 * targets allow, it shows where a linear sliding-window code can get at best when several losses need
 * several repairs, which the causality bound (`delayLowerBoundMs`) leaves out.
 */
export function idealScheduleDelays(o: IdealScheduleOptions): number[] {
  const rng = new Prng(o.seed);
  const out: OracleDatagram[] = [];
  let credit = 0;
  for (let n = 0; n < o.packets; n++) {
    const at = n * o.intervalMs;
    const id = n & 0xffff;
    out.push({ id, w: 0, lost: rng.chance(o.loss), at });
    for (credit += o.repairsPerSource; credit >= 1; credit--) {
      out.push({ id, w: Math.min(WINDOW, n + 1), lost: rng.chance(o.loss), at });
    }
  }
  return oracleDelays(out, o.seed);
}
