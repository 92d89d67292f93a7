import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

import {
  FEC_MAX_PAYLOAD,
  FecLink,
  Flag,
  HEADER_V1_LEN,
  HEADER_V2_LEN,
  HEADER_V3_COMPACT_LEN,
  MESH_CLIENT_VERSION,
  Offset,
  V3_COMPACT_FLAG,
  SERVER_LEG_LEN,
  checkTunnelHeader,
  decodeServerLegQuery,
  encodeServerLegAnswer,
  parseIpv4,
  formatIpv4,
  readU16,
  readU32,
  writeHeaderFields,
} from '@lightspeed/shared';
import type { Logger } from 'pino';

import { timestampUs } from './relay-clock.js';
import { DropReason, type RelayStats } from './relay-stats.js';
import { admitReply, claimDestination, nextSeq, takeTokens } from './session-guards.js';
import type { Session } from './session.js';
import { ServerLegs, noteLegSend, takeLegSample } from './server-legs.js';
import { SessionTable } from './session-table.js';
import { literalLookup } from './upstream-pool.js';
import type { SessionAuthority } from '../auth/session-authority.js';
import type { RelayConfig } from '../config/config.js';
import type { DestinationPolicy } from '../security/destination-policy.js';

export interface DataPlaneOptions {
  config: RelayConfig;
  stats: RelayStats;
  policy: DestinationPolicy;
  logger: Logger;
  authority?: SessionAuthority | undefined;
  /** Address the per-session upstream sockets bind to (the data_bind host). */
  upstreamHost: string;
  /** Receives a sampled per-packet processing time, in seconds. */
  onSample?: ((seconds: number) => void) | undefined;
  /** Overrides session.timeout_s, in ms (tests). */
  timeoutMs?: number | undefined;
  /** Takes version-4 datagrams (mesh client frames, docs/mesh.md); without it they are malformed. */
  meshIngress?: ((msg: Buffer, rinfo: RemoteInfo, now: number) => void) | undefined;
}

/** Every 32nd packet is timed: enough for a histogram, cheap enough for the hot path. */
const SAMPLE_MASK = 31;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The UDP data plane: one client-facing socket, one upstream socket per session (so replies map back),
 * keepalive/handshake/FIN answers, FEC both ways for v2 sessions, and the security checks on every packet.
 * No per-packet closures, logging or JSON; counters are plain numbers.
 */
export class DataPlane {
  /** Active sessions by client IP:port. */
  readonly sessions: Map<string, Session>;
  private readonly table: SessionTable;
  private readonly socket: Socket;
  private readonly stats: RelayStats;
  private readonly policy: DestinationPolicy;
  private readonly logger: Logger;
  private readonly authority: SessionAuthority | undefined;
  private readonly requireAuth: boolean;
  private readonly onSample: (seconds: number) => void;
  private readonly meshIngress: ((msg: Buffer, rinfo: RemoteInfo, now: number) => void) | undefined;
  /** This relay's measured leg to each game server (server-legs.ts). */
  readonly serverLegs = new ServerLegs();
  private readonly pps: number;
  private readonly bps: number;
  private readonly timeoutMs: number;
  private readonly windowMs: number;
  private readonly maxDestinations: number;
  private readonly flushMs: number;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sampleTick = 0;
  private stopping = false;
  private lastErrorLog = 0;

  constructor(options: DataPlaneOptions) {
    const { config } = options;
    this.stats = options.stats;
    this.policy = options.policy;
    this.logger = options.logger;
    this.authority = options.authority;
    this.requireAuth = config.security.require_auth;
    this.onSample = options.onSample ?? (() => undefined);
    this.meshIngress = options.meshIngress;
    this.pps = config.rate_limit.pps;
    this.bps = config.rate_limit.bps;
    this.timeoutMs = options.timeoutMs ?? config.session.timeout_s * 1000;
    this.windowMs = config.security.destination_window_s * 1000;
    this.maxDestinations = config.security.max_destinations_per_client;
    this.flushMs = config.fec.flush_ms;
    this.table = new SessionTable({
      config,
      stats: this.stats,
      authority: this.authority,
      upstreamHost: options.upstreamHost,
      onUpstreamMessage: this.onUpstreamMessage,
      onUpstreamError: (s, err) => {
        this.drop(DropReason.ERROR);
        this.logError('upstream socket error', err);
        if (err.syscall === 'bind') this.table.close(s);
      },
    });
    this.sessions = this.table.sessions;
    this.socket = createSocket({ type: 'udp4', lookup: literalLookup });
    this.socket.on('message', this.onClientMessage);
    this.socket.on('error', (err) => {
      this.drop(DropReason.ERROR);
      this.logError('data socket error', err);
    });
  }

  /** Binds the client-facing socket and starts the inactivity sweeper; resolves to the bound port. */
  async start(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: host, port }, () => {
        this.socket.off('error', onError);
        resolve();
      });
    });
    for (const set of [
      () => this.socket.setRecvBufferSize(SOCKET_BUFFER_BYTES),
      () => this.socket.setSendBufferSize(SOCKET_BUFFER_BYTES),
    ]) {
      try {
        set();
      } catch {
        // The kernel caps buffer sizes (net.core.rmem_max); the default still works.
      }
    }
    this.table.warmUpstreamPool();
    const every = Math.min(1000, Math.max(5, this.timeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(performance.now()), every);
    this.sweepTimer.unref();
    return this.socket.address().port;
  }

  /** Stops intake, sends FIN to every active client, closes every socket. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.table.closeUpstreamPool();
    const now = performance.now();
    const fins: Promise<void>[] = [];
    for (const s of this.sessions.values()) {
      const hdr = Buffer.alloc(HEADER_V1_LEN);
      writeHeaderFields(hdr, 0, 1, Flag.FIN, s.token, nextSeq(s), timestampUs(now), 0, 0, 0, 0);
      fins.push(new Promise((resolve) => this.socket.send(hdr, s.port, s.ip, () => resolve())));
      this.countOut(HEADER_V1_LEN);
      this.table.close(s);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(fins), new Promise((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** FEC blocks closed with data missing, over live sessions (retired ones are in the stats). */
  liveFecUnrecoverable(): number {
    let n = 0;
    const now = performance.now();
    for (const s of this.sessions.values()) if (s.fec) n += s.fec.unrecoverable(now);
    return n;
  }

  private readonly onClientMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const now = performance.now();
    try {
      this.handleClient(msg, rinfo, now);
    } catch (err) {
      this.drop(DropReason.ERROR);
      this.logError('error handling a client packet', err);
    }
    if ((++this.sampleTick & SAMPLE_MASK) === 0) this.onSample((performance.now() - now) / 1000);
  };

  private handleClient(msg: Buffer, rinfo: RemoteInfo, now: number): void {
    const len = msg.length;
    const stats = this.stats;
    stats.clientInPackets++;
    stats.clientInBytes += len;
    if (this.stopping) return this.drop(DropReason.SHUTTING_DOWN);
    if (this.meshIngress !== undefined && len > 0 && msg[0]! >> 4 === MESH_CLIENT_VERSION) {
      return this.meshIngress(msg, rinfo, now);
    }
    const version = checkTunnelHeader(msg);
    if (version < 0) return this.drop(DropReason.MALFORMED);
    const flags = msg[Offset.VERSION_FLAGS]! & 0xf;
    // v3 is data only (flag 0x8 marks its 8-byte repair/report shape): no control answers for it.
    if (version === 3 && (flags & ~V3_COMPACT_FLAG) !== 0) return this.drop(DropReason.MALFORMED);
    const compact = version === 3 && flags !== 0;
    const headerLen = version === 1 ? HEADER_V1_LEN : compact ? HEADER_V3_COMPACT_LEN : HEADER_V2_LEN;
    const token = msg[Offset.TOKEN]!;
    const key = rinfo.address + ':' + rinfo.port;
    let s = this.sessions.get(key);
    if (flags & Flag.KEEPALIVE) {
      // Answered without a session (clients probe relays before registering): 20 bytes for >= 20 received.
      stats.keepalives++;
      if (s !== undefined && (!this.requireAuth || token === s.token)) s.lastActivity = now;
      // A server-leg query (LightSpeed clients only) gets the answer in a payload of the query's size.
      const query = len === HEADER_V1_LEN + SERVER_LEG_LEN ? msg.subarray(HEADER_V1_LEN) : null;
      const q = query === null ? null : decodeServerLegQuery(query);
      const legs = q === null ? null : encodeServerLegAnswer(this.serverLegs.answer(q.ip, q.port, now));
      this.answerControl(msg, Flag.KEEPALIVE, token, rinfo, now, 0, 0, 0, undefined, legs);
      return;
    }
    if (
      s !== undefined &&
      this.requireAuth &&
      (token !== s.token || !this.authority?.authorize(s.ip, token))
    ) {
      return this.drop(DropReason.UNAUTHENTICATED); // wrong token, or its registration has ended since
    }
    if (flags & Flag.FIN) {
      stats.fins++;
      // Only a session that has carried valid traffic ends on FIN: otherwise garbage alternating data and
      // FIN from one socket would create and tear down a session (and its upstream socket) per pair.
      if (s !== undefined && !s.carried) return this.drop(DropReason.FIN_WITHOUT_TRAFFIC);
      if (s !== undefined) this.table.close(s);
      this.answerControl(msg, Flag.FIN, token, rinfo, now, 0, 0, 0);
      return;
    }

    if (s === undefined) {
      const opened = this.table.open(
        key,
        rinfo,
        version === 1 ? 1 : 2,
        version === 2 ? msg[Offset.FEC_K]! : 0,
        token,
        now,
      );
      if (typeof opened === 'number') {
        stats.sessionsRefused++;
        return this.drop(opened);
      }
      s = opened;
      // A v3 first packet: the client negotiated v3 with this relay before it restarted.
      if (version === 3) this.fecFor(s).switchToV3('balanced');
    }
    s.lastActivity = now;
    s.bytesIn += len;
    if (!takeTokens(s, len, now, this.pps, this.bps)) return this.drop(DropReason.RATE_LIMITED);

    // A v3 repair or report carries no addresses: it belongs to the session's current destination.
    const dstIp = compact ? s.dstIp : readU32(msg, Offset.DST_IP);
    const dstPort = compact ? s.dstPort : readU16(msg, Offset.DST_PORT);
    if (flags & Flag.HANDSHAKE) {
      stats.handshakes++;
      s.carried = true;
      // A v3 offer (in a v2 handshake's payload) is answered with the accept and goes no further.
      const accept =
        version === 2 && len > headerLen ? this.fecFor(s).acceptOffer(msg.subarray(headerLen)) : null;
      // Source of the ACK = the requested destination, destination = the client as the relay sees it.
      this.answerControl(msg, Flag.HANDSHAKE, token, rinfo, now, dstIp, s.ipU32, dstPort, s, accept);
      // Deployed relays forward a handshake's payload as data; an empty one is not worth a datagram.
      if (len === headerLen || accept !== null) return;
    }

    if (version === 1) {
      this.forward(s, dstIp, dstPort, msg.subarray(headerLen), now);
      return;
    }
    if (!this.checkDestination(s, dstIp, dstPort, now)) return;
    // Data is forwarded as it arrives, rebuilt packets right after (through the session's deliver).
    const result = this.fecFor(s).receive(msg, version as 2 | 3, now);
    if (result === 'duplicate') return this.drop(DropReason.DUPLICATE);
    if (result === 'invalid') return this.drop(DropReason.MALFORMED);
  }

  /** The session's FEC path (v2 as its first packet said, v3 once negotiated), created on first use. */
  private fecFor(s: Session): FecLink {
    if (s.fec !== null) return s.fec;
    const link = new FecLink({
      setting: { kind: 'xor', k: s.k },
      flushMs: this.flushMs,
      writeHeader: (buf, version, t) =>
        writeHeaderFields(
          buf,
          0,
          version,
          0,
          0,
          nextSeq(s),
          timestampUs(t),
          s.peerIp,
          s.ipU32,
          s.peerPort,
          s.port,
        ),
      emit: (datagram, role) => {
        if (role === 'fec') this.stats.fecParitySent++;
        s.bytesOut += datagram.length;
        this.socket.send(datagram, s.port, s.ip);
        this.countOut(datagram.length);
      },
      deliver: (payload, recovered) => {
        if (recovered) this.forwardRecovered(s, payload);
        else this.send(s, payload);
      },
    });
    s.fec = link;
    return link;
  }

  private forwardRecovered(s: Session, payload: Uint8Array): void {
    this.stats.fecRecovered++;
    if (s.dstHost === '') return this.drop(DropReason.NO_DESTINATION);
    this.send(s, payload);
  }

  private forward(s: Session, dstIp: number, dstPort: number, payload: Uint8Array, now: number): void {
    if (this.checkDestination(s, dstIp, dstPort, now)) this.send(s, payload);
  }

  private send(s: Session, payload: Uint8Array): void {
    s.carried = true;
    noteLegSend(s, performance.now());
    s.upstream.send(payload, s.dstPort, s.dstHost);
    this.stats.serverOutPackets++;
    this.stats.serverOutBytes += payload.length;
  }

  /** Makes (dstIp, dstPort) the session's destination if policy and the reflection cap allow it. */
  private checkDestination(s: Session, dstIp: number, dstPort: number, now: number): boolean {
    if (dstIp === s.dstIp && dstPort === s.dstPort) return true;
    if (!this.policy.allows(dstIp, dstPort)) {
      this.drop(DropReason.DESTINATION_REFUSED);
      return false;
    }
    if (!claimDestination(s, dstIp * 65536 + dstPort, now, this.windowMs, this.maxDestinations)) {
      this.drop(DropReason.REFLECTION);
      return false;
    }
    s.dstIp = dstIp;
    s.dstPort = dstPort;
    s.dstHost = formatIpv4(dstIp);
    return true;
  }

  private readonly onUpstreamMessage = (s: Session, msg: Buffer, rinfo: RemoteInfo): void => {
    const now = performance.now();
    try {
      this.handleUpstream(s, msg, rinfo, now);
    } catch (err) {
      this.drop(DropReason.ERROR);
      this.logError('error handling a game server packet', err);
    }
    if ((++this.sampleTick & SAMPLE_MASK) === 0) this.onSample((performance.now() - now) / 1000);
  };

  private handleUpstream(s: Session, msg: Buffer, rinfo: RemoteInfo, now: number): void {
    const len = msg.length;
    this.stats.serverInPackets++;
    this.stats.serverInBytes += len;
    if (s.closed || this.stopping) return this.drop(DropReason.SHUTTING_DOWN);
    if (rinfo.port !== s.peerPort || rinfo.address !== s.peerAddr) {
      const ip = parseIpv4(rinfo.address);
      if (ip === null || !s.peers.includes(ip * 65536 + rinfo.port)) return this.drop(DropReason.UNSOLICITED);
      s.peerAddr = rinfo.address;
      s.peerPort = rinfo.port;
      s.peerIp = ip;
    }
    s.lastActivity = now;
    const legMs = takeLegSample(s, now);
    if (legMs !== null) this.serverLegs.record(s.peerIp * 65536 + s.peerPort, legMs, now);
    if (s.version === 1) {
      const hdr = Buffer.allocUnsafe(HEADER_V1_LEN);
      if (!admitReply(s, HEADER_V1_LEN + len)) return this.drop(DropReason.AMPLIFICATION);
      writeHeaderFields(hdr, 0, 1, 0, 0, nextSeq(s), timestampUs(now), s.peerIp, s.ipU32, s.peerPort, s.port);
      this.sendToClient(s, hdr, msg);
      return;
    }
    if (len > FEC_MAX_PAYLOAD) return this.drop(DropReason.OVERSIZE);
    if (!admitReply(s, HEADER_V2_LEN + len)) return this.drop(DropReason.AMPLIFICATION);
    this.fecFor(s).send(msg, now);
    this.armFlush(s);
  }

  /** A partial v2 block's parity goes out flush_ms after the block's first packet: a quiet game never waits. */
  private armFlush(s: Session): void {
    const due = s.fec?.dueMs ?? null;
    if (due === null || (s.flushTimer !== null && s.flushAt === due)) return;
    if (s.flushTimer !== null) clearTimeout(s.flushTimer);
    s.flushAt = due;
    s.flushTimer = setTimeout(
      () => {
        s.flushTimer = null;
        if (s.closed || s.fec === null) return;
        s.fec.poll(performance.now());
        this.armFlush(s);
      },
      Math.max(0, due - performance.now()),
    );
    s.flushTimer.unref();
  }

  private sendToClient(s: Session, hdr: Buffer, payload: Uint8Array): void {
    const bytes = hdr.length + payload.length;
    s.bytesOut += bytes;
    this.socket.send([hdr, payload], s.port, s.ip);
    this.countOut(bytes);
  }

  /**
   * Answers KEEPALIVE / HANDSHAKE / FIN: v1, the same flag, the same sequence, the token echoed, the relay's
   * own timestamp, no payload — except a v3 accept (8 bytes) answering a v3 offer (a 24-byte header and 8
   * bytes), and a server-leg answer (12 bytes) to a keepalive carrying a 12-byte query. 20 bytes for a
   * packet of at least 20, 28 or 32 for 32, so it can never amplify.
   */
  private answerControl(
    msg: Buffer,
    flag: number,
    token: number,
    rinfo: RemoteInfo,
    now: number,
    srcIp: number,
    dstIp: number,
    srcPort: number,
    s?: Session,
    payload: Uint8Array | null = null,
  ): void {
    const hdr = Buffer.allocUnsafe(HEADER_V1_LEN);
    const seq = readU16(msg, Offset.SEQUENCE);
    const dstPort = dstIp === 0 ? 0 : rinfo.port;
    writeHeaderFields(hdr, 0, 1, flag, token, seq, timestampUs(now), srcIp, dstIp, srcPort, dstPort);
    const bytes = HEADER_V1_LEN + (payload?.length ?? 0);
    if (s !== undefined) s.bytesOut += bytes;
    this.socket.send(payload === null ? hdr : [hdr, payload], rinfo.port, rinfo.address);
    this.countOut(bytes);
  }

  /** Sends a datagram from the client-facing socket (mesh frames to mesh clients), counted as client out. */
  sendFromDataPort(data: Uint8Array, port: number, host: string): void {
    if (this.stopping) return;
    this.socket.send(data, port, host);
    this.countOut(data.length);
  }

  private countOut(bytes: number): void {
    this.stats.clientOutPackets++;
    this.stats.clientOutBytes += bytes;
  }

  private drop(reason: number): void {
    this.stats.drops[reason]!++;
  }

  private sweep(now: number): void {
    this.table.pruneCreationLimiter(now);
    for (const s of this.sessions.values()) {
      if (now - s.lastActivity >= this.timeoutMs) {
        this.stats.sessionsTimedOut++;
        this.table.close(s);
      } else s.fec?.tick(now); // v3 loss reports go out at least once a second, traffic or not
    }
  }

  /** Logs at most one error per second: a flood of bad sends must not become a flood of log lines. */
  private logError(message: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 1000) return;
    this.lastErrorLog = now;
    this.logger.warn({ err }, message);
  }
}
