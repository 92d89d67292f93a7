/**
 * Linux divert socket: receives the UDP that nftables `tproxy` diverts to it, each datagram with its
 * original destination, and sends replies as if from that destination. Needs CAP_NET_ADMIN (the
 * errors carry errno names: `EPERM` means the process lacks it).
 */
import { NativeUnavailableError, requireNative } from './load.js';
import type { DivertedDatagram, DivertSocketStats } from './native-api.js';

export type { DivertedDatagram, DivertSocketStats } from './native-api.js';

export interface DivertSocketOptions {
  /** Local IPv4 address to bind: 0.0.0.0 or 127.0.0.1 (the tproxy target). */
  address: string;
  /** 0 = any free port (read it back from `port`). */
  port: number;
  /** Called on the event loop with what one wake-up read (at most 256 datagrams). */
  onBatch: (batch: DivertedDatagram[]) => void;
  /** A receive error (the socket stays open). */
  onError?: (error: Error) => void;
}

export interface DivertSocket {
  readonly port: number;
  /**
   * Sends `payload` to dst (the game) as if from src (the game server), through a transparent socket
   * bound to src, created on first use and cached. False on error (counted in stats).
   */
  sendFrom(srcIp: number, srcPort: number, dstIp: number, dstPort: number, payload: Uint8Array): boolean;
  /** Closes the cached reply socket for src. */
  release(srcIp: number, srcPort: number): void;
  stats(): DivertSocketStats;
  /** Stops receiving and closes every socket; safe to call twice. */
  close(): void;
}

/** Opens the divert socket (throws NativeUnavailableError, or an errno-coded error such as EPERM). */
export function openDivertSocket(options: DivertSocketOptions): DivertSocket {
  const native = requireNative();
  if (native.DivertSocket === undefined) {
    throw new NativeUnavailableError(
      'not-in-build',
      `the divert socket is Linux-only (this is ${native.platform})`,
    );
  }
  return new native.DivertSocket(options.address, options.port, options.onBatch, options.onError);
}
