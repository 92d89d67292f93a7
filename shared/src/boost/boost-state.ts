/**
 * The state of one boost session, shared by the engine, the CLI and the UI. A discriminated union on
 * `state`; the allowed moves are listed once, in `TRANSITIONS`.
 *
 *   idle → probing → connecting → active ⇄ degraded → failing-over → connecting …
 *   any → stopped | error
 */

/** A relay as the user sees it. */
export interface RelayRef {
  /** Stable id: the node id when the relay told us, else `host:port`. */
  id: string;
  /** `host:port` of its data plane. */
  address: string;
  region?: string;
}

export type BoostState =
  | { state: 'idle' }
  | { state: 'probing'; relays: number }
  | { state: 'connecting'; relay: RelayRef }
  | { state: 'active'; relay: RelayRef; sinceMs: number }
  | { state: 'degraded'; relay: RelayRef; reason: string }
  | { state: 'failing-over'; from: RelayRef; to: RelayRef | null; reason: string }
  | { state: 'stopped'; reason: string }
  | { state: 'error'; reason: string };

export type BoostStateName = BoostState['state'];

export const TRANSITIONS: Readonly<Record<BoostStateName, readonly BoostStateName[]>> = {
  idle: ['probing', 'connecting', 'stopped', 'error'],
  probing: ['connecting', 'stopped', 'error'],
  connecting: ['active', 'failing-over', 'stopped', 'error'],
  active: ['degraded', 'failing-over', 'stopped', 'error'],
  degraded: ['active', 'failing-over', 'stopped', 'error'],
  'failing-over': ['connecting', 'active', 'stopped', 'error'],
  stopped: ['idle', 'probing', 'connecting'],
  error: ['idle', 'probing', 'connecting', 'stopped'],
};

/** Whether the engine may move from `from` to `to`. */
export function canTransition(from: BoostStateName, to: BoostStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Round-trip time summary over the last stats interval, in milliseconds. */
export interface RttSummary {
  min: number;
  p50: number;
  p95: number;
  last: number;
}

/** Per-second statistics of a boost session. Counters are cumulative; rates are over the last interval. */
export interface BoostStats {
  /** Wall-clock time of the sample, ms since the epoch. */
  atMs: number;
  relay: RelayRef | null;
  rtt: RttSummary | null;
  /** RFC 3550 interarrival jitter, ms. */
  jitterMs: number;
  /**
   * Fraction (0..1) of keepalives unanswered over the last 20 (10 s at the default interval): the loss the
   * relay path shows without game traffic. A keepalive crosses the link both ways, so this is round-trip loss.
   */
  lossUp: number;
  /**
   * Fraction (0..1) lost relay → client over the interval, from sequence gaps, before FEC. In an interval
   * with no game data coming back it is the keepalive loss (`lossUp`), the only measure of the path then:
   * a relay that went silent reads as lost, not as 0%.
   */
  lossDown: number;
  /** Fraction (0..1) still lost relay → client after FEC recovery (`lossDown` when no data came back). */
  lossDownAfterFec: number;
  fecRecovered: number;
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  /** Game sockets currently carried (one tunnel socket each). */
  flows?: number;
  /** Parity packets sent toward the relay (cumulative): the FEC bandwidth overhead. */
  fecParityUp?: number;
  /** Bytes of those parity/repair packets with headers (cumulative); overhead = fecBytesUp / (bytesUp − fecBytesUp). */
  fecBytesUp?: number;
  /** Header version data goes up with now: 1 no FEC, 2 XOR, 3 adaptive (the relay accepted v3). */
  fecVersion?: 1 | 2 | 3;
  /** Data packets FEC could not rebuild (cumulative). */
  fecLost?: number;
  /** Packets dropped as malformed or from an unexpected source (cumulative). */
  malformed?: number;
}
