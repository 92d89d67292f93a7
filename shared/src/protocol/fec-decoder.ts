/**
 * XOR FEC decoder: a 64-block window, blocks expire 500 ms after their first packet, and at most one
 * missing packet per block is rebuilt. Instead of keeping every payload it keeps one running XOR per
 * block, so memory is bounded (64 × the largest payload, 2 KiB at most) and each packet costs one pass
 * over its bytes.
 *
 * Data payloads are always delivered by the caller as they arrive; the decoder only reports the packet
 * it rebuilds. Time is passed in (`nowMs`) so the decoder stays a pure state machine.
 */
import { FEC_MAX_PAYLOAD } from './fec-encoder.js';
import { FEC_MAX_K, isParity, type FecExtension } from './header.js';

export const FEC_WINDOW_BLOCKS = 64;
export const FEC_BLOCK_MAX_AGE_MS = 500;

export interface FecDecoderStats {
  /** Unique data packets seen. */
  received: number;
  /** Unique parity packets seen. */
  parity: number;
  /** Data packets rebuilt from parity. */
  recovered: number;
  /** Blocks closed with data still missing (two or more lost, or one lost along with its parity). */
  unrecoverable: number;
  /** Data packets known to be missing from unrecoverable blocks. */
  lost: number;
  /** Blocks closed by the age limit before they were complete. */
  expired: number;
  /** Packets seen twice. */
  duplicates: number;
  /** Packets for a block already closed or pushed out of the window. */
  late: number;
  /** Packets inconsistent with their block (index beyond its K, parity too short, lengths that disagree). */
  invalid: number;
}

export interface RecoveredPacket {
  blockId: number;
  index: number;
  payload: Uint8Array;
}

class Block {
  id = -1;
  startMs = 0;
  /** Running XOR; grows with the largest payload seen so small game packets keep memory small. */
  acc = new Uint8Array(0);
  touched = 0;
  lenXor = 0;
  dataMask = 0;
  dataCount = 0;
  maxIndex = -1;
  headerK = 0;
  /** K announced by the parity packet (0 until it arrives): authoritative, as partial blocks shrink K. */
  parityK = 0;
  parityMaxLen = 0;
  done = false;

  reset(id: number, nowMs: number): void {
    this.acc.fill(0, 0, this.touched);
    this.id = id;
    this.startMs = nowMs;
    this.touched = 0;
    this.lenXor = 0;
    this.dataMask = 0;
    this.dataCount = 0;
    this.maxIndex = -1;
    this.headerK = 0;
    this.parityK = 0;
    this.parityMaxLen = 0;
    this.done = false;
  }

  fold(bytes: Uint8Array, len: number): void {
    if (len > this.acc.length) {
      const grown = new Uint8Array(Math.min(FEC_MAX_PAYLOAD, Math.max(256, 1 << Math.ceil(Math.log2(len)))));
      grown.set(this.acc.subarray(0, this.touched));
      this.acc = grown;
    }
    const acc = this.acc;
    for (let i = 0; i < len; i++) acc[i]! ^= bytes[i]!;
    if (len > this.touched) this.touched = len;
  }
}

export class FecDecoder {
  /** Slots are created on first use: a quiet session never pays for the whole window. */
  private readonly blocks: (Block | undefined)[] = new Array<Block | undefined>(FEC_WINDOW_BLOCKS);
  private readonly maxAgeMs: number;
  private readonly counters: FecDecoderStats = {
    received: 0,
    parity: 0,
    recovered: 0,
    unrecoverable: 0,
    lost: 0,
    expired: 0,
    duplicates: 0,
    late: 0,
    invalid: 0,
  };

  /** Whether the last packet given to `receive` was already delivered (or rebuilt) and must not be delivered again. */
  lastWasDuplicate = false;

  constructor(options: { maxAgeMs?: number } = {}) {
    this.maxAgeMs = options.maxAgeMs ?? FEC_BLOCK_MAX_AGE_MS;
  }

  /** A snapshot of the counters. */
  stats(): FecDecoderStats {
    return { ...this.counters };
  }

  /**
   * Takes one v2 packet (data or parity, by its extension) and returns the packet it lets the decoder
   * rebuild, if any. Never throws on network input.
   */
  receive(fec: FecExtension, payload: Uint8Array, nowMs: number): RecoveredPacket | null {
    this.lastWasDuplicate = false;
    const block = this.slotFor(fec.blockId, nowMs);
    if (block === null) {
      this.counters.late++;
      return null;
    }
    if (isParity(fec)) return this.onParity(block, fec.k, payload);
    return this.onData(block, fec, payload);
  }

  /** Closes blocks older than the age limit so that counters are current. Call it now and then. */
  expire(nowMs: number): void {
    for (const block of this.blocks) {
      if (block && block.id >= 0 && !block.done && nowMs - block.startMs > this.maxAgeMs)
        this.close(block, true);
    }
  }

  private slotFor(blockId: number, nowMs: number): Block | null {
    const slot = blockId % FEC_WINDOW_BLOCKS;
    const block = (this.blocks[slot] ??= new Block());
    const aged = nowMs - block.startMs > this.maxAgeMs;
    if (block.id === blockId) {
      if (!aged) return block;
      this.close(block, true);
      return null;
    }
    if (block.id >= 0 && !aged && ((blockId - block.id) & 0xffff) > 0x8000) return null; // older block
    this.close(block, aged);
    block.reset(blockId, nowMs);
    return block;
  }

  private close(block: Block, byAge: boolean): void {
    if (block.id < 0 || block.done) return;
    block.done = true;
    const k = block.parityK > 0 ? block.parityK : block.maxIndex + 1;
    const missing = k - block.dataCount;
    if (byAge) this.counters.expired++;
    if (missing > 0) {
      this.counters.unrecoverable++;
      this.counters.lost += missing;
    }
  }

  private onData(block: Block, fec: FecExtension, payload: Uint8Array): RecoveredPacket | null {
    const { index } = fec;
    const bit = 1 << index;
    if (
      index >= FEC_MAX_K ||
      (block.parityK > 0 && index >= block.parityK) ||
      payload.length > FEC_MAX_PAYLOAD
    ) {
      this.counters.invalid++;
      return null;
    }
    if (block.dataMask & bit) {
      this.counters.duplicates++;
      this.lastWasDuplicate = true;
      return null;
    }
    this.counters.received++;
    block.dataMask |= bit;
    block.dataCount++;
    if (block.done) return null;
    if (index > block.maxIndex) block.maxIndex = index;
    if (block.headerK === 0) block.headerK = fec.k;
    block.fold(payload, payload.length);
    block.lenXor ^= payload.length;
    return this.settle(block);
  }

  private onParity(block: Block, k: number, payload: Uint8Array): RecoveredPacket | null {
    if (block.parityK > 0) {
      this.counters.duplicates++;
      this.lastWasDuplicate = true;
      return null;
    }
    const maxLen = payload.length - 2;
    if (maxLen < 0 || maxLen > FEC_MAX_PAYLOAD || block.maxIndex >= k) {
      this.counters.invalid++;
      return null;
    }
    this.counters.parity++;
    block.parityK = k;
    block.parityMaxLen = maxLen;
    if (block.done) return null;
    block.fold(payload, maxLen);
    block.lenXor ^= (payload[maxLen]! << 8) | payload[maxLen + 1]!;
    return this.settle(block);
  }

  /** Marks the block done once nothing more can come of it, rebuilding the one missing packet if it can. */
  private settle(block: Block): RecoveredPacket | null {
    if (block.parityK === 0) {
      if (block.headerK > 0 && block.dataCount >= block.headerK) block.done = true;
      return null;
    }
    const missing = block.parityK - block.dataCount;
    if (missing <= 0) {
      block.done = true;
      return null;
    }
    if (missing > 1) return null;
    block.done = true;
    let index = 0;
    while (block.dataMask & (1 << index)) index++;
    const len = block.lenXor;
    if (len > block.parityMaxLen) {
      // Lengths that cannot add up mean a corrupted block: deliver nothing rather than garbage.
      this.counters.invalid++;
      this.counters.unrecoverable++;
      this.counters.lost++;
      return null;
    }
    this.counters.recovered++;
    block.dataMask |= 1 << index; // a late original of this packet is then a duplicate
    return { blockId: block.id, index, payload: block.acc.slice(0, len) };
  }
}
