/**
 * Plain numeric counters the packet path bumps; Prometheus reads them at scrape time. Keeping them as
 * numbers (not prom-client label lookups) keeps the per-packet cost to an increment.
 */

/** Why a packet was dropped; the index into `RelayStats.drops`. */
export const DropReason = {
  /** Shorter than its header, unknown version, or FEC K of 0 / above 16. */
  MALFORMED: 0,
  /** require_auth and no authority, an unknown token, or a token that does not match the session's. */
  UNAUTHENTICATED: 1,
  /** Over the client's packets/s or bytes/s budget. */
  RATE_LIMITED: 2,
  /** Destination in a refused range, the relay itself, or port 0. */
  DESTINATION_REFUSED: 3,
  /** Too many distinct destinations for this client in the current window. */
  REFLECTION: 4,
  /** Would send the client more bytes than it sent before the game server answered. */
  AMPLIFICATION: 5,
  /** max_sessions reached. */
  SESSION_LIMIT: 6,
  /** max_sessions_per_ip reached. */
  IP_SESSION_LIMIT: 7,
  /** Packet on a session's upstream socket from an address the session never sent to. */
  UNSOLICITED: 8,
  /** A v2 packet the FEC decoder already delivered (or rebuilt). */
  DUPLICATE: 9,
  /** A reply too large to FEC-encode for a v2 session. */
  OVERSIZE: 10,
  /** A rebuilt packet with no destination yet, or a data packet with nothing to send. */
  NO_DESTINATION: 11,
  /** The relay is shutting down. */
  SHUTTING_DOWN: 12,
  /** A send failed or an internal error was caught. */
  ERROR: 13,
  /** A new session from a source IP over its session-creation rate (security.session_rate_per_ip). */
  SESSION_RATE: 14,
  /** A FIN for a session that has not carried valid traffic: ignored, so garbage cannot churn sessions. */
  FIN_WITHOUT_TRAFFIC: 15,
} as const;

export type DropReasonCode = (typeof DropReason)[keyof typeof DropReason];

/** Label values for `lightspeed_relay_dropped_packets_total{reason}`, indexed by DropReason. */
export const DROP_REASON_LABELS: readonly string[] = [
  'malformed',
  'unauthenticated',
  'rate_limited',
  'destination_refused',
  'reflection',
  'amplification',
  'session_limit',
  'ip_session_limit',
  'unsolicited',
  'duplicate',
  'oversize',
  'no_destination',
  'shutting_down',
  'error',
  'session_rate_limited',
  'fin_without_traffic',
];

/** Counters of one relay. */
export class RelayStats {
  readonly drops: number[] = DROP_REASON_LABELS.map(() => 0);
  /** Client → relay (every datagram received on data_bind). */
  clientInPackets = 0;
  clientInBytes = 0;
  /** Relay → game server. */
  serverOutPackets = 0;
  serverOutBytes = 0;
  /** Game server → relay. */
  serverInPackets = 0;
  serverInBytes = 0;
  /** Relay → client (replies, parity, keepalive/handshake/FIN answers). */
  clientOutPackets = 0;
  clientOutBytes = 0;
  keepalives = 0;
  handshakes = 0;
  fins = 0;
  sessionsCreated = 0;
  /** First packets that did not get a session (auth, caps, creation rate). */
  sessionsRefused = 0;
  /** Sessions whose upstream socket was bound on the packet path because the pool was empty. */
  upstreamBoundInline = 0;
  /** Upstream sockets bound and waiting in the pool. */
  upstreamPoolReady = 0;
  sessionsTimedOut = 0;
  fecRecovered = 0;
  fecParitySent = 0;
  /** FEC unrecoverable blocks of sessions already gone (live sessions are summed at scrape). */
  fecUnrecoverableRetired = 0;
  telemetryReports = 0;
  telemetryRejected = 0;

  /** Sum of all drop counters. */
  totalDrops(): number {
    let n = 0;
    for (const d of this.drops) n += d;
    return n;
  }
}
