/** Why a mesh packet was dropped (index into MeshStats.drops). */
export const MeshDrop = {
  /** Not a mesh envelope, or a message inside that does not parse. */
  MALFORMED: 0,
  /** A sender id that is not a configured peer. */
  UNKNOWN_PEER: 1,
  /** The Poly1305 tag did not verify (tampered, or the wrong key). */
  AUTH: 2,
  /** A nonce already seen, too old for the window, or from an earlier epoch of the sender. */
  REPLAY: 3,
  /** No route to the exit (or back to the entry). */
  NO_ROUTE: 4,
  /** A forwarded message whose TTL ran out (a routing loop during convergence). */
  TTL: 5,
  /** Client frame refused: malformed, unauthenticated, or rate limited. */
  CLIENT_MALFORMED: 6,
  CLIENT_UNAUTHENTICATED: 7,
  CLIENT_RATE_LIMITED: 8,
  /** Destination refused by the exit's (or entry's) destination policy or the per-session cap. */
  DESTINATION_REFUSED: 9,
  /** Session caps reached. */
  SESSIONS_FULL: 10,
  /** Duplicate data (multipath, or a path duplicating) dropped at the exit. */
  DUPLICATE: 11,
  /** A game-server packet from an address the session never sent to. */
  UNSOLICITED: 12,
  /** A reply for a session this entry no longer knows. */
  UNKNOWN_SESSION: 13,
  ERROR: 14,
  /**
   * A message a FEC channel (hop or client leg) had already delivered: the network duplicated it, or a
   * stream restarted its ids without its channel being replaced (the issue-#13 bug: never silent again).
   */
  FEC_DUPLICATE: 15,
} as const;

export const MESH_DROP_LABELS = [
  'malformed',
  'unknown_peer',
  'auth_failed',
  'replay',
  'no_route',
  'ttl_expired',
  'client_malformed',
  'client_unauthenticated',
  'client_rate_limited',
  'destination_refused',
  'sessions_full',
  'duplicate',
  'unsolicited',
  'unknown_session',
  'error',
  'fec_duplicate',
] as const;

export class MeshStats {
  readonly drops = new Array<number>(MESH_DROP_LABELS.length).fill(0);
  meshInPackets = 0;
  meshInBytes = 0;
  meshOutPackets = 0;
  meshOutBytes = 0;
  /** DATA/REPLY/FIN passed on to another node (this node neither entry nor exit). */
  transit = 0;
  clientIn = 0;
  clientOut = 0;
  serverOut = 0;
  serverIn = 0;
  /** Session messages rebuilt by hop FEC. */
  fecRecovered = 0;
  /** DATA frames from clients rebuilt by client-leg FEC (mesh-entry.ts). */
  clientFecRecovered = 0;
}
