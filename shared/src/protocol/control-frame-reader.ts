/**
 * Reassembles control frames from a byte stream: chunks may split a frame anywhere or carry several.
 * A frame with a zero or oversize length, or an unknown type, is a typed error; after an error the
 * stream is out of sync and the reader refuses further input (the connection should be closed).
 */
import { CONTROL_MAX_FRAME, decodeControlBody, type ControlError, type ControlMessage } from './control.js';

export type FrameReadResult =
  { ok: true; messages: ControlMessage[] } | { ok: false; error: ControlError; messages: ControlMessage[] };

export class ControlFrameReader {
  private buffer = new Uint8Array(0);
  private failed: ControlError | null = null;

  /** Bytes received but not yet a whole frame. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Feeds a chunk and returns the whole messages it completes (and the first error, if any). */
  push(chunk: Uint8Array): FrameReadResult {
    const messages: ControlMessage[] = [];
    if (this.failed) return { ok: false, error: this.failed, messages };
    let data = chunk;
    if (this.buffer.length > 0) {
      data = new Uint8Array(this.buffer.length + chunk.length);
      data.set(this.buffer);
      data.set(chunk, this.buffer.length);
    }
    let at = 0;
    while (data.length - at >= 2) {
      const len = (data[at]! << 8) | data[at + 1]!;
      if (len === 0 || len > CONTROL_MAX_FRAME) {
        return this.fail(
          { code: len === 0 ? 'empty' : 'oversize', message: `frame length ${len}` },
          messages,
        );
      }
      if (data.length - at - 2 < len) break;
      const decoded = decodeControlBody(data.subarray(at + 2, at + 2 + len));
      if (!decoded.ok) return this.fail(decoded.error, messages);
      messages.push(decoded.message);
      at += 2 + len;
    }
    this.buffer = data.slice(at);
    return { ok: true, messages };
  }

  private fail(error: ControlError, messages: ControlMessage[]): FrameReadResult {
    this.failed = error;
    this.buffer = new Uint8Array(0);
    return { ok: false, error, messages };
  }
}
