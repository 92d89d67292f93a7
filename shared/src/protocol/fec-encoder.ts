/**
 * XOR FEC encoder, compact parity format (deployed since v0.4):
 *
 *   parity payload = XOR of the block's data payloads, each zero-padded to the longest (max_len bytes)
 *                    ‖ u16 BE XOR of the payload lengths
 *
 * Data packet i of block b is sent with FEC extension (b, i, K); the parity follows with index = k = the
 * number of data packets actually in the block, which is K for a full block and less after `flush()`.
 */
import { FEC_MAX_K, FEC_MIN_K } from './header.js';

/** Largest payload the FEC layer carries: a UDP datagram inside a 1500-byte MTU leaves less than this. */
export const FEC_MAX_PAYLOAD = 2048;

/** A parity packet ready to send: its FEC extension is `{ blockId, index: k, k }`. */
export interface ParityPacket {
  blockId: number;
  k: number;
  payload: Uint8Array;
}

export class FecEncoder {
  readonly k: number;
  private readonly acc = new Uint8Array(FEC_MAX_PAYLOAD);
  private maxLen = 0;
  private lenXor = 0;
  private count = 0;
  private block: number;

  /** `k`: data packets per block, 2..16. `firstBlockId` lets a sender resume numbering. */
  constructor(k: number, firstBlockId = 0) {
    if (!Number.isInteger(k) || k < FEC_MIN_K || k > FEC_MAX_K) {
      throw new RangeError(`FEC K must be an integer in ${FEC_MIN_K}..${FEC_MAX_K}, got ${k}`);
    }
    this.k = k;
    this.block = firstBlockId & 0xffff;
  }

  /** Block id the next data packet belongs to. */
  get blockId(): number {
    return this.block;
  }

  /** Data packets in the current, unfinished block. */
  get pending(): number {
    return this.count;
  }

  /**
   * Folds a data payload into the current block and returns its index in the block. The caller sends it
   * with extension `{ blockId, index, k }` (read `blockId` before calling). When the block is full
   * (`pending === k`) the caller takes the parity with `flush()`.
   */
  add(payload: Uint8Array): number {
    if (this.count >= this.k) throw new Error('FEC block is full: call flush() first');
    const len = payload.length;
    if (len > FEC_MAX_PAYLOAD) throw new RangeError(`payload of ${len} bytes exceeds ${FEC_MAX_PAYLOAD}`);
    const acc = this.acc;
    for (let i = 0; i < len; i++) acc[i]! ^= payload[i]!;
    if (len > this.maxLen) this.maxLen = len;
    this.lenXor ^= len;
    return this.count++;
  }

  /** True when the current block holds K data packets and its parity is due. */
  get full(): boolean {
    return this.count === this.k;
  }

  /**
   * Emits the parity of the current block (full or partial, with its actual k) and starts the next block,
   * whose id wraps at 2^16. Returns null when the block is empty.
   */
  flush(): ParityPacket | null {
    if (this.count === 0) return null;
    const payload = new Uint8Array(this.maxLen + 2);
    payload.set(this.acc.subarray(0, this.maxLen));
    payload[this.maxLen] = this.lenXor >>> 8;
    payload[this.maxLen + 1] = this.lenXor & 0xff;
    const parity: ParityPacket = { blockId: this.block, k: this.count, payload };
    this.acc.fill(0, 0, this.maxLen);
    this.maxLen = 0;
    this.lenXor = 0;
    this.count = 0;
    this.block = (this.block + 1) & 0xffff;
    return parity;
  }
}
