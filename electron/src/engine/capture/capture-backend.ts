/**
 * Capture mode's platform seam: one interface, one implementation per OS (Linux: nftables tproxy and a
 * transparent divert socket; Windows: WinDivert; macOS: none yet). The engine's capture flow source sits
 * on top of it, so tunnel, FEC, stats and failover are the same code as in redirect mode.
 */
import type { ResolvedEndpoint } from '../resolve.js';

/** An IPv4 UDP endpoint (dotted quad, the same as u32, port). */
export type Endpoint = ResolvedEndpoint;

/** What to capture: the processes, re-resolved by the caller as games start and stop. */
export interface CaptureTarget {
  pids: number[];
}

export interface CaptureStartOptions {
  /**
   * Destinations never captured, as IPv4 CIDRs (`203.0.113.7/32`): the relays, and the user's own
   * excludes. Loopback, link-local, multicast, broadcast and DNS (port 53) are never captured either;
   * private (LAN) ranges are excluded unless `captureLan` is set.
   */
  excludes: string[];
  /** Capture traffic to private (RFC 1918) destinations too. Default false. */
  captureLan?: boolean;
}

export interface CaptureEvents {
  /** One datagram the game sent to `server`, taken before it left the machine. */
  onDatagram(game: Endpoint, server: Endpoint, payload: Uint8Array): void;
  /** The game's UDP sockets (local ports) now captured; called when the set changes. */
  onSockets?(ports: number[]): void;
  /** Something went wrong that capture cannot recover from (the engine stops the boost with it). */
  onError(err: Error): void;
}

export interface CaptureBackend {
  readonly platform: NodeJS.Platform;
  /** Starts diverting the target's outbound UDP; resolves once rules and sockets are in place. */
  start(target: CaptureTarget, options: CaptureStartOptions, events: CaptureEvents): Promise<void>;
  /** Changes the processes captured (new PIDs as the game restarts or spawns a helper). */
  retarget(target: CaptureTarget): Promise<void>;
  /** Hands `payload` to the game socket `game` as if `server` had sent it. */
  reply(game: Endpoint, server: Endpoint, payload: Uint8Array): void;
  /** No flow replies from `server` any more: free what `reply` keeps for it (its reply socket). */
  release(server: Endpoint): void;
  /** Removes every rule and closes every socket; safe to call twice. */
  stop(): Promise<void>;
}

/** Why capture cannot work here, or that it can: one line per prerequisite. */
export interface CaptureCheck {
  name: 'native-module' | 'privileges' | 'nft' | 'tproxy' | 'platform' | 'windivert';
  ok: boolean;
  detail: string;
  /** The exact command that fixes it, when there is one. */
  fix?: string;
}
