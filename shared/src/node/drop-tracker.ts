/**
 * Tells which game packets a lossy link dropped, by reading the tunnel header and the game-traffic
 * sequence number of each dropped datagram. A packet that was dropped yet reached the game was rebuilt
 * by FEC: this is how the demo and the benchmark count recoveries end to end, in both directions.
 */
import { Flag, HEADER_V3_LEN, V3_COMPACT_FLAG, decodeHeader, isParity } from '../index.js';

import { gameSequence } from './game-traffic.js';

export class DropTracker {
  /** Game sequence numbers whose data packet (v1, v2 or v3) was dropped at least once (either direction). */
  readonly dropped = new Set<number>();
  droppedParity = 0;
  droppedControl = 0;

  /** Feed it from `LossyLinkOptions.onDrop`. */
  readonly onDrop = (_direction: 'up' | 'down', msg: Buffer): void => {
    if (msg.length > 0 && msg[0]! >>> 4 === 3) {
      // v3: a source carries the game payload after 24 bytes; repairs and reports are the 8-byte shape.
      if ((msg[0]! & V3_COMPACT_FLAG) !== 0) this.droppedParity++;
      else if (msg.length >= HEADER_V3_LEN) {
        const seq = gameSequence(msg.subarray(HEADER_V3_LEN));
        if (seq >= 0) this.dropped.add(seq);
      }
      return;
    }
    const r = decodeHeader(msg, 0, msg.length);
    if (!r.ok) return;
    const h = r.header;
    if (h.flags & (Flag.KEEPALIVE | Flag.HANDSHAKE | Flag.FIN)) {
      this.droppedControl++;
      return;
    }
    if (h.version === 2 && isParity(h.fec)) {
      this.droppedParity++;
      return;
    }
    const seq = gameSequence(msg.subarray(r.payloadOffset));
    if (seq >= 0) this.dropped.add(seq);
  };
}
