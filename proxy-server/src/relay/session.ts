import type { Socket } from 'node:dgram';

import type { FecLink } from '@lightspeed/shared';

/** Most destinations a session remembers as allowed reply sources; older ones are forgotten first. */
export const MAX_KNOWN_PEERS = 32;

/**
 * One client (IP:port) and its upstream socket. Plain fields only: an idle session must stay small
 * (FEC state is allocated on first use, and only for v2 traffic).
 */
export class Session {
  closed = false;
  lastActivity: number;

  // Token buckets (packets and bytes), refilled lazily on each packet.
  pktTokens: number;
  byteTokens: number;
  refillAt: number;

  // Anti-amplification: until the game server has answered, bytesOut may not exceed bytesIn.
  answered = false;
  bytesIn = 0;
  bytesOut = 0;

  /** Set once the session has forwarded a packet or acknowledged a handshake: only then does a FIN end it. */
  carried = false;

  /** Send times of the packets the server has not answered yet, oldest first (server-legs.ts), ring of 16. */
  legSends: Float64Array | null = null;
  legHead = 0;
  legCount = 0;

  /** Sequence number of the next packet the relay sends this client. */
  replySeq = 0;

  // Current destination (cached so the policy runs only when it changes).
  dstIp = -1;
  dstPort = -1;
  dstHost = '';

  /** Destinations (ip * 65536 + port) this session has sent to: the only sources it accepts replies from. */
  readonly peers: number[] = [];
  /** Distinct destinations contacted in the current anti-reflection window. */
  readonly windowDests: number[] = [];
  windowStart: number;

  // Last reply source, cached so a steady stream from one server skips address parsing.
  peerAddr = '';
  peerPort = -1;
  peerIp = 0;

  /** The session's FEC path (v2 or v3), created on first use. */
  fec: FecLink | null = null;
  flushTimer: NodeJS.Timeout | null = null;
  /** The v2 flush deadline `flushTimer` is armed for. */
  flushAt = -1;

  upstream!: Socket;

  constructor(
    readonly key: string,
    readonly ip: string,
    readonly port: number,
    readonly ipU32: number,
    /** Fixed by the session's first packet: replies use this version. */
    readonly version: 1 | 2,
    /** FEC K for replies of a v2 session. */
    readonly k: number,
    readonly token: number,
    now: number,
    pps: number,
    bps: number,
  ) {
    this.lastActivity = now;
    this.refillAt = now;
    this.windowStart = now;
    this.pktTokens = pps;
    this.byteTokens = bps;
  }
}
