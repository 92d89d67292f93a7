/**
 * v3 sliding-window encoder. Each source packet gets a u16 id; a repair is the GF(256) combination of the
 * last W source symbols, a source symbol being `u16 BE length ‖ payload`, zero-padded to the longest in
 * the window:
 *
 *   repair payload = Σ_{j=0..W−1} c_j · symbol(end − j)      (length 2 + the longest payload covered)
 *
 * with c_j = `v3Coefficient(key, end − j)` (a Cauchy matrix; the key cycles through 0..127). W is capped by `maxW` and by age: a source older than
 * `horizonMs` is no use to a game and leaves the window. Time is passed in; nothing here sends.
 */
import { gfMulAdd } from './gf256.js';
import { FEC_MAX_PAYLOAD } from './fec-encoder.js';
import { FEC_V3_KEYS, v3Coefficient } from './fec-v3-coefficients.js';
import { FEC_V3_MAX_W } from './fec-v3-header.js';

/** Default cap on W: enough for bursts of three at a quarter repair rate, cheap to encode. */
export const FEC_V3_DEFAULT_W = 32;
/** Default age beyond which a source leaves the window. */
export const FEC_V3_HORIZON_MS = 250;

export interface RepairPacket {
  /** Newest source id covered. */
  end: number;
  /** Source packets covered (1..64). */
  w: number;
  key: number;
  payload: Uint8Array;
}

export class SlidingEncoder {
  private readonly maxW: number;
  private readonly horizonMs: number;
  /** Ring of the last `maxW` source symbols (length prefix included), each grown to fit. */
  private readonly symbols: Uint8Array[];
  private readonly lengths: Uint16Array;
  private readonly times: Float64Array;
  private count = 0;
  /** Sources added so far: slots go by this counter, so W need not divide 2^16. */
  private total = 0;
  private nextIdValue: number;
  private keyValue = 0;

  constructor(options: { maxW?: number; horizonMs?: number; firstId?: number } = {}) {
    const maxW = options.maxW ?? FEC_V3_DEFAULT_W;
    if (!Number.isInteger(maxW) || maxW < 1 || maxW > FEC_V3_MAX_W) {
      throw new RangeError(`W must be an integer in 1..${FEC_V3_MAX_W}, got ${maxW}`);
    }
    this.maxW = maxW;
    this.horizonMs = options.horizonMs ?? FEC_V3_HORIZON_MS;
    this.symbols = Array.from({ length: maxW }, () => new Uint8Array(0));
    this.lengths = new Uint16Array(maxW);
    this.times = new Float64Array(maxW);
    this.nextIdValue = (options.firstId ?? 0) & 0xffff;
  }

  /** Id the next source packet gets. */
  get nextId(): number {
    return this.nextIdValue;
  }

  /** Remembers a source payload and returns its id (the caller sends it with that id). */
  add(payload: Uint8Array, nowMs: number): number {
    const len = payload.length;
    if (len > FEC_MAX_PAYLOAD) throw new RangeError(`payload of ${len} bytes exceeds ${FEC_MAX_PAYLOAD}`);
    const id = this.nextIdValue;
    const slot = this.total % this.maxW;
    let sym = this.symbols[slot]!;
    if (sym.length < len + 2) {
      sym = new Uint8Array(Math.max(len + 2, 64));
      this.symbols[slot] = sym;
    }
    sym[0] = len >>> 8;
    sym[1] = len & 0xff;
    sym.set(payload, 2);
    this.lengths[slot] = len + 2;
    this.times[slot] = nowMs;
    this.nextIdValue = (id + 1) & 0xffff;
    this.total++;
    if (this.count < this.maxW) this.count++;
    return id;
  }

  /** Sources a repair made now would cover: the newest ones, at most `maxW`, none older than the horizon. */
  windowAt(nowMs: number, limit = this.maxW): number {
    let w = 0;
    const n = Math.min(this.count, limit);
    while (w < n) {
      const slot = (this.total - 1 - w) % this.maxW;
      if (w > 0 && nowMs - this.times[slot]! > this.horizonMs) break;
      w++;
    }
    return w;
  }

  /** A repair over the newest sources (null before the first source). `limit` caps W below `maxW`. */
  repair(nowMs: number, limit = this.maxW): RepairPacket | null {
    const w = this.windowAt(nowMs, limit);
    if (w === 0) return null;
    const end = (this.nextIdValue - 1) & 0xffff;
    const key = this.keyValue;
    this.keyValue = (key + 1) % FEC_V3_KEYS;
    let size = 0;
    for (let j = 0; j < w; j++) {
      const len = this.lengths[(this.total - 1 - j) % this.maxW]!;
      if (len > size) size = len;
    }
    const payload = new Uint8Array(size);
    for (let j = 0; j < w; j++) {
      const slot = (this.total - 1 - j) % this.maxW;
      gfMulAdd(payload, this.symbols[slot]!, v3Coefficient(key, (end - j) & 0xffff), this.lengths[slot]!);
    }
    return { end, w, key, payload };
  }
}
