/**
 * FEC on one mesh hop: XOR parity (the deployed v2 scheme, `FecEncoder` / `FecDecoder` from shared) over
 * the DATA / REPLY / FIN messages a node sends one peer, sized from that link's measured loss. Each data
 * message and each parity travels in its own sealed frame as a type-7 message:
 *
 *   7 ‖ u16 block id ‖ u8 index ‖ u8 k ‖ inner   (index < k: inner = the message; index = k: parity)
 *
 * PING / PONG / LSA are never wrapped: the loss the link measures is the raw loss.
 */
import { FEC_MAX_PAYLOAD, FecDecoder, FecEncoder } from '@lightspeed/shared';

export const MSG_FEC = 7;
const FEC_HEADER = 5;

/**
 * Data packets per parity for a measured loss, after Entrouter's loss → shards table (data:parity
 * 20:1 below 0.5%, 10:2 to 1%, 10:4 to 3%, 8:4 to 5%, 6:4 above), as the nearest one-parity-per-block
 * overhead XOR can give: 5% → K 16, 20% → K 5, 40% → K 3, 50% and 67% → K 2. 0 = off (no loss measured).
 */
export function kForLoss(loss: number): number {
  if (loss < 0.001) return 0;
  if (loss < 0.005) return 16;
  if (loss < 0.01) return 5;
  if (loss < 0.03) return 3;
  return 2;
}

export function encodeFecMessage(blockId: number, index: number, k: number, inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(FEC_HEADER + inner.length);
  out[0] = MSG_FEC;
  out[1] = (blockId >> 8) & 0xff;
  out[2] = blockId & 0xff;
  out[3] = index;
  out[4] = k;
  out.set(inner, FEC_HEADER);
  return out;
}

export interface FecMessage {
  blockId: number;
  index: number;
  k: number;
  inner: Uint8Array;
}

/** Null unless it is a well-formed type-7 message (k 1..16, index ≤ k, a non-empty inner part). */
export function decodeFecMessage(buf: Uint8Array): FecMessage | null {
  if (buf.length <= FEC_HEADER || buf[0] !== MSG_FEC) return null;
  const k = buf[4]!;
  const index = buf[3]!;
  if (k === 0 || k > 16 || index > k) return null;
  return { blockId: (buf[1]! << 8) | buf[2]!, index, k, inner: buf.subarray(FEC_HEADER) };
}

/** The sending side for one peer. */
export class HopFecSender {
  private enc: FecEncoder | null = null;
  /** Parity messages sent. */
  parity = 0;

  /** Wraps `msg` for a link whose K is `k` (0: sent as is). Returns the messages to send, in order. */
  wrap(msg: Uint8Array, k: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.enc !== null && this.enc.k !== k) {
      const p = this.flush();
      if (p !== null) out.push(p);
      this.enc = k === 0 ? null : new FecEncoder(k, this.enc.blockId);
    } else if (this.enc === null && k !== 0) this.enc = new FecEncoder(k);
    if (this.enc === null || msg.length > FEC_MAX_PAYLOAD) {
      out.push(msg);
      return out;
    }
    const blockId = this.enc.blockId;
    const index = this.enc.add(msg);
    out.push(encodeFecMessage(blockId, index, this.enc.k, msg));
    if (this.enc.full) {
      const p = this.flush();
      if (p !== null) out.push(p);
    }
    return out;
  }

  /** The parity of a partial block (the caller flushes a few ms after a block's first message). */
  flush(): Uint8Array | null {
    const p = this.enc?.flush() ?? null;
    if (p === null) return null;
    this.parity++;
    return encodeFecMessage(p.blockId, p.k, p.k, p.payload);
  }

  get pending(): number {
    return this.enc?.pending ?? 0;
  }
}

/** The receiving side for one peer: hands every message to `deliver` once, rebuilt ones included. */
export class HopFecReceiver {
  private readonly dec = new FecDecoder();
  recovered = 0;
  duplicates = 0;

  receive(m: FecMessage, now: number, deliver: (inner: Uint8Array) => void): void {
    const rebuilt = this.dec.receive({ blockId: m.blockId, index: m.index, k: m.k }, m.inner, now);
    if (m.index < m.k) {
      if (this.dec.lastWasDuplicate) this.duplicates++;
      else deliver(m.inner);
    }
    if (rebuilt !== null) {
      this.recovered++;
      deliver(rebuilt.payload);
    }
  }

  expire(now: number): void {
    this.dec.expire(now);
  }
}
