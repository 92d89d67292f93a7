import type { RemoteInfo } from 'node:dgram';

import { FEC_MIN_K, parseIpv4 } from '@lightspeed/shared';

import { SessionCreationLimiter } from './creation-limiter.js';
import { DropReason, type DropReasonCode, type RelayStats } from './relay-stats.js';
import { Session } from './session.js';
import { UpstreamPool } from './upstream-pool.js';
import type { SessionAuthority } from '../auth/session-authority.js';
import type { RelayConfig } from '../config/config.js';

export interface SessionTableOptions {
  config: RelayConfig;
  stats: RelayStats;
  authority: SessionAuthority | undefined;
  /** Address the per-session upstream sockets bind to. */
  upstreamHost: string;
  onUpstreamMessage(s: Session, msg: Buffer, rinfo: RemoteInfo): void;
  onUpstreamError(s: Session, err: NodeJS.ErrnoException): void;
}

/** Sessions by client IP:port, with admission (auth, caps) and teardown (socket, FEC stats, authority). */
export class SessionTable {
  readonly sessions = new Map<string, Session>();
  private readonly perIp = new Map<string, number>();
  private readonly o: SessionTableOptions;
  private readonly requireAuth: boolean;
  private readonly maxSessions: number;
  private readonly maxPerIp: number;
  private readonly defaultK: number;
  private readonly pps: number;
  private readonly bps: number;
  private readonly creations: SessionCreationLimiter;
  private readonly pool: UpstreamPool;

  constructor(options: SessionTableOptions) {
    this.o = options;
    const { config } = options;
    this.requireAuth = config.security.require_auth;
    this.maxSessions = config.security.max_sessions;
    this.maxPerIp = config.security.max_sessions_per_ip;
    this.defaultK = config.fec.k;
    this.pps = config.rate_limit.pps;
    this.bps = config.rate_limit.bps;
    this.creations = new SessionCreationLimiter(
      config.security.session_rate_per_ip,
      config.security.session_burst_per_ip,
      Math.max(65_536, this.maxSessions),
    );
    this.pool = new UpstreamPool(
      options.upstreamHost,
      Math.min(config.session.upstream_pool, this.maxSessions),
      {
        onMessage: (s, m, r) => this.o.onUpstreamMessage(s, m, r),
        onError: (s, err) => this.o.onUpstreamError(s, err),
        onUnowned: () => this.o.stats.drops[DropReason.UNSOLICITED]!++,
        onReady: (n) => (this.o.stats.upstreamPoolReady = n),
      },
    );
  }

  /** Binds the pool of upstream sockets ahead of need (session.upstream_pool), in the background. */
  warmUpstreamPool(): void {
    this.pool.warm();
  }

  /** Closes the upstream sockets no session has taken. */
  closeUpstreamPool(): void {
    this.pool.close();
  }

  /** Forgets session-creation buckets that have refilled (called by the data plane's sweeper). */
  pruneCreationLimiter(now: number): void {
    this.creations.prune(now);
  }

  /**
   * Opens a session for a client's first packet, or returns why not. `announcedK` is the K of a v2 first
   * packet (replies use it; below 2, the configured default).
   */
  open(
    key: string,
    rinfo: RemoteInfo,
    version: 1 | 2,
    announcedK: number,
    token: number,
    now: number,
  ): Session | DropReasonCode {
    const ip = rinfo.address;
    const authority = this.o.authority;
    if (this.requireAuth && (authority === undefined || !authority.authorize(ip, token))) {
      return DropReason.UNAUTHENTICATED;
    }
    if (this.sessions.size >= this.maxSessions) return DropReason.SESSION_LIMIT;
    const onIp = this.perIp.get(ip) ?? 0;
    if (onIp >= this.maxPerIp) return DropReason.IP_SESSION_LIMIT;
    if (!this.creations.tryTake(ip, now)) return DropReason.SESSION_RATE;
    const pooledBefore = this.pool.size;
    const k = version === 2 && announcedK >= FEC_MIN_K ? announcedK : this.defaultK;
    const s = new Session(
      key,
      ip,
      rinfo.port,
      parseIpv4(ip) ?? 0,
      version,
      k,
      token,
      now,
      this.pps,
      this.bps,
    );
    // A socket bound ahead of time when the pool has one; bound now otherwise.
    const upstream = this.pool.take(s);
    if (upstream === null) return DropReason.ERROR; // out of descriptors or ports
    if (pooledBefore === 0) this.o.stats.upstreamBoundInline++;
    s.upstream = upstream;
    this.sessions.set(key, s);
    this.perIp.set(ip, onIp + 1);
    this.o.stats.sessionsCreated++;
    return s;
  }

  /** Removes a session: closes its socket and timer, keeps its FEC counters, tells the authority. */
  close(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    this.sessions.delete(s.key);
    const onIp = (this.perIp.get(s.ip) ?? 1) - 1;
    if (onIp <= 0) this.perIp.delete(s.ip);
    else this.perIp.set(s.ip, onIp);
    if (s.flushTimer) clearTimeout(s.flushTimer);
    if (s.fec) this.o.stats.fecUnrecoverableRetired += s.fec.unrecoverable(Number.POSITIVE_INFINITY);
    try {
      s.upstream.close();
    } catch {
      // Already closed after a bind error.
    }
    if (this.requireAuth && this.o.authority) this.o.authority.sessionEnded(s.ip, s.token);
  }
}
