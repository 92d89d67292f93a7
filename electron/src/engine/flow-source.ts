/**
 * Where game datagrams come from: redirect ports (the game talks to 127.0.0.1) or capture (the game's own
 * traffic, taken at the network layer). Everything after a source — tunnel flows, FEC, stats, failover —
 * is the same code for both.
 */
import type { GameKey } from './relay-link.js';

export type PacketSink = (key: GameKey, payload: Uint8Array) => void;

export interface FlowSource {
  /** Starts taking game datagrams; resolves once the game's traffic can flow. */
  open(onPacket: PacketSink): Promise<void>;
  /** Housekeeping once per stats interval (idle flows, re-reading the game's sockets). */
  tick(): void;
  /** Stops taking traffic and undoes everything `open` did; safe to call twice. */
  close(): Promise<void>;
}
