/**
 * Tells which game packets a lossy link dropped, by reading the tunnel header and the game-traffic
 * sequence number of each dropped datagram. A packet that was dropped yet reached the game was rebuilt
 * by FEC: this is how the demo and the benchmark count recoveries end to end, in both directions.
 */
import { Flag, decodeHeader, isParity } from '../index.js';

import { gameSequence } from './game-traffic.js';

export class DropTracker {
  /** Game sequence numbers whose data packet was dropped at least once (either direction). */
  readonly dropped = new Set<number>();
  droppedParity = 0;
  droppedControl = 0;

  /** Feed it from `LossyLinkOptions.onDrop`. */
  readonly onDrop = (_direction: 'up' | 'down', msg: Buffer): void => {
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
