/**
 * The relay's QUIC control plane (UDP 4433 by default): deployed framing and messages over client-opened
 * bidirectional streams. Register → RegisterAck + ServerInfo (token bound to the connection's source IP);
 * Ping → Pong + ServerInfo; Disconnect ends the registration. Malformed input resets the stream with a
 * typed error code and is counted; it never throws out of here. See docs/control-plane.md.
 */
import {
  ControlFrameReader,
  DisconnectReason,
  encodeControlFrame,
  type ControlErrorCode,
  type ControlMessage,
} from '@lightspeed/shared';
import { events, QUICServer, type QUICConnection, type QUICStream } from '@matrixai/quic';

import type { ControlIdentity } from './certificate.js';
import { CONTROL_ALPN, serverCrypto, silentQuicLogger } from './quic-support.js';
import { RegisterRateLimiter, type RegisterRateLimit } from './register-rate-limiter.js';
import { normalizeIp, type Registration, type TokenAuthority } from './token-authority.js';

/** Stream reset codes: which malformed-input case closed a control stream. */
export const ControlStreamError: Record<ControlErrorCode, number> = {
  empty: 0x101,
  truncated: 0x102,
  'unknown-type': 0x103,
  'invalid-utf8': 0x104,
  oversize: 0x105,
};

export interface ControlLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ServerLoad {
  activeSessions: number;
  capacity: number;
}

export interface ControlServerOptions {
  identity: ControlIdentity;
  authority: TokenAuthority;
  nodeId: string;
  region: string;
  /** Data-plane load for ServerInfo; defaults to live registrations over `capacity`. */
  load?: () => ServerLoad;
  capacity?: number;
  rateLimit?: RegisterRateLimit;
  /** A connection with no message for this long gets Disconnect(timeout). */
  idleTimeoutMs?: number;
  maxConnections?: number;
  /** Open control connections one source IP may hold (more are closed with code 3, rate limited). */
  maxConnectionsPerIp?: number;
  log?: ControlLog;
}

export interface ControlServerStats {
  connectionsAccepted: number;
  connectionsActive: number;
  connectionsRefused: number;
  registrations: number;
  pings: number;
  disconnectsReceived: number;
  /** Disconnects sent, by deployed reason code. */
  disconnectsSent: Record<number, number>;
  /** Streams reset for malformed input, by error code. */
  malformed: Record<ControlErrorCode, number>;
  /** Well-formed messages a client must not send (Pong, RegisterAck, ServerInfo). */
  unexpected: number;
}

interface StreamCtx {
  stream: QUICStream;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

interface Session {
  conn: QUICConnection;
  ip: string;
  registration: Registration | null;
  /** Stream for unsolicited messages (Disconnect): the one that registered, else the latest. */
  primary: StreamCtx | null;
  idle: NodeJS.Timeout | null;
  closing: boolean;
}

class MalformedControlInput extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Runs the control plane on a UDP address; see the file comment. */
export class ControlServer {
  private readonly server: QUICServer;
  private readonly sessions = new Set<Session>();
  private readonly limiter: RegisterRateLimiter;
  private readonly idleTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxPerIp: number;
  private readonly perIp = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private stopped = false;
  private counters: ControlServerStats = {
    connectionsAccepted: 0,
    connectionsActive: 0,
    connectionsRefused: 0,
    registrations: 0,
    pings: 0,
    disconnectsReceived: 0,
    disconnectsSent: {},
    malformed: { empty: 0, truncated: 0, 'unknown-type': 0, 'invalid-utf8': 0, oversize: 0 },
    unexpected: 0,
  };

  private constructor(private readonly opts: ControlServerOptions) {
    this.limiter = new RegisterRateLimiter(opts.rateLimit ?? { burst: 5, perMinute: 10 });
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.maxConnections = opts.maxConnections ?? 4096;
    this.maxPerIp = opts.maxConnectionsPerIp ?? 32;
    this.server = new QUICServer({
      crypto: serverCrypto(),
      config: {
        key: opts.identity.keyPem,
        cert: opts.identity.certPem,
        verifyPeer: false,
        applicationProtos: [CONTROL_ALPN],
        maxIdleTimeout: this.idleTimeoutMs + 5_000,
        initialMaxStreamsBidi: 4,
        initialMaxStreamsUni: 0,
        initialMaxData: 256 * 1024,
        initialMaxStreamDataBidiRemote: 64 * 1024,
      },
      reasonToCode: (_type, reason) => (reason instanceof MalformedControlInput ? reason.code : 0),
      logger: silentQuicLogger(),
    });
    this.server.addEventListener(events.EventQUICServerConnection.name, (evt: Event) =>
      this.onConnection((evt as events.EventQUICServerConnection).detail),
    );
    // A registration revoked elsewhere (operator, tests) ends its control session too.
    this.unsubscribe = opts.authority.onRevoke((reg, cause) => {
      if (cause !== 'revoked') return;
      for (const s of this.sessions)
        if (s.registration === reg) void this.disconnect(s, DisconnectReason.AUTH_FAILED);
    });
  }

  /** Binds the QUIC listener (port 0 picks a free port). */
  static async start(
    opts: ControlServerOptions,
    bind: { host: string; port: number },
  ): Promise<ControlServer> {
    const server = new ControlServer(opts);
    await server.server.start({ host: bind.host, port: bind.port });
    return server;
  }

  get host(): string {
    return this.server.host;
  }

  get port(): number {
    return this.server.port;
  }

  /** SHA-256 of the certificate (hex), for /health and client pinning. */
  get certSha256(): string {
    return this.opts.identity.sha256;
  }

  /** Counters for metrics and tests. */
  stats(): ControlServerStats {
    return {
      ...this.counters,
      connectionsActive: this.sessions.size,
      disconnectsSent: { ...this.counters.disconnectsSent },
      malformed: { ...this.counters.malformed },
    };
  }

  /** Sends Disconnect(server shutdown) to every client, revokes their tokens and closes the listener. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    await Promise.all([...this.sessions].map((s) => this.disconnect(s, DisconnectReason.SERVER_SHUTDOWN)));
    await this.server.stop({ isApp: true, errorCode: DisconnectReason.SERVER_SHUTDOWN, force: true });
  }

  private onConnection(conn: QUICConnection): void {
    const ip = normalizeIp(conn.remoteHost);
    const onIp = this.perIp.get(ip) ?? 0;
    if (this.stopped || this.sessions.size >= this.maxConnections || onIp >= this.maxPerIp) {
      this.counters.connectionsRefused++;
      void conn.stop({ isApp: true, errorCode: DisconnectReason.RATE_LIMITED, force: true }).catch(() => {});
      return;
    }
    this.counters.connectionsAccepted++;
    this.perIp.set(ip, onIp + 1);
    const session: Session = {
      conn,
      ip,
      registration: null,
      primary: null,
      idle: null,
      closing: false,
    };
    this.sessions.add(session);
    this.touch(session);
    conn.addEventListener(
      events.EventQUICConnectionStream.name,
      (evt: Event) => void this.serveStream(session, (evt as events.EventQUICConnectionStream).detail),
    );
    conn.addEventListener(events.EventQUICConnectionStopped.name, () => this.onClosed(session), {
      once: true,
    });
  }

  private async serveStream(session: Session, stream: QUICStream): Promise<void> {
    const reader = stream.readable.getReader();
    const ctx: StreamCtx = { stream, writer: stream.writable.getWriter() };
    session.primary ??= ctx;
    const frames = new ControlFrameReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const result = frames.push(value);
        for (const msg of result.messages) await this.handle(session, ctx, msg);
        if (!result.ok) {
          this.counters.malformed[result.error.code]++;
          this.opts.log?.warn(
            { ip: session.ip, error: result.error },
            'control: malformed frame, stream reset',
          );
          stream.cancel(
            new MalformedControlInput(ControlStreamError[result.error.code], result.error.message),
          );
          break;
        }
      }
      await ctx.writer.close();
    } catch {
      // The peer reset the stream or the connection went away: nothing left to answer.
    } finally {
      if (session.primary === ctx) session.primary = null;
    }
  }

  private async handle(session: Session, ctx: StreamCtx, msg: ControlMessage): Promise<void> {
    if (session.closing) return;
    this.touch(session);
    switch (msg.type) {
      case 'register':
        return this.register(session, ctx, msg.protocolVersion, msg.gameId);
      case 'ping':
        this.counters.pings++;
        await this.send(ctx, {
          type: 'pong',
          clientTimestampUs: msg.timestampUs,
          serverTimestampUs: nowUs(),
        });
        await this.send(ctx, this.serverInfo());
        return;
      case 'disconnect':
        this.counters.disconnectsReceived++;
        this.endRegistration(session);
        session.closing = true;
        await ctx.writer.close().catch(() => {});
        await session.conn
          .stop({ isApp: true, errorCode: DisconnectReason.NORMAL, force: true })
          .catch(() => {});
        return;
      default:
        this.counters.unexpected++;
    }
  }

  private async register(
    session: Session,
    ctx: StreamCtx,
    protocolVersion: number,
    gameId: number,
  ): Promise<void> {
    if (!session.registration) {
      if (protocolVersion < 1 || protocolVersion > 2)
        return this.disconnect(session, DisconnectReason.AUTH_FAILED, ctx);
      if (!this.limiter.allow(session.ip))
        return this.disconnect(session, DisconnectReason.RATE_LIMITED, ctx);
      const reg = this.opts.authority.issue(session.ip, gameId);
      if (!reg) return this.disconnect(session, DisconnectReason.RATE_LIMITED, ctx);
      session.registration = reg;
      this.counters.registrations++;
      this.opts.log?.info({ ip: session.ip, sessionId: reg.sessionId, gameId }, 'control: registered');
    }
    session.primary = ctx;
    const reg = session.registration;
    await this.send(ctx, {
      type: 'register-ack',
      sessionId: reg.sessionId,
      token: reg.token,
      nodeId: this.opts.nodeId,
      region: this.opts.region,
    });
    await this.send(ctx, this.serverInfo());
  }

  private serverInfo(): ControlMessage {
    const load = this.opts.load?.() ?? {
      activeSessions: this.opts.authority.active,
      capacity: this.opts.capacity ?? 1000,
    };
    const pct = load.capacity > 0 ? Math.round((load.activeSessions / load.capacity) * 100) : 100;
    return {
      type: 'server-info',
      load: Math.min(100, Math.max(0, pct)),
      activeSessions: Math.min(load.activeSessions, 0xffffffff),
      capacity: Math.min(load.capacity, 0xffffffff),
    };
  }

  /** Sends Disconnect(reason) where the client listens, revokes its token and closes the connection. */
  private async disconnect(session: Session, reason: number, via?: StreamCtx): Promise<void> {
    if (session.closing) return;
    session.closing = true;
    this.counters.disconnectsSent[reason] = (this.counters.disconnectsSent[reason] ?? 0) + 1;
    this.opts.log?.info({ ip: session.ip, reason }, 'control: disconnect');
    const ctx = via ?? session.primary;
    if (ctx) await this.send(ctx, { type: 'disconnect', reason });
    this.endRegistration(session);
    // The reason also travels as the CONNECTION_CLOSE application code, for clients with no open stream.
    await session.conn.stop({ isApp: true, errorCode: reason, force: true }).catch(() => {});
  }

  private endRegistration(session: Session): void {
    const reg = session.registration;
    session.registration = null;
    if (reg) this.opts.authority.revoke(reg.sessionId, 'control-closed');
  }

  private onClosed(session: Session): void {
    if (!this.sessions.delete(session)) return;
    if (session.idle) clearTimeout(session.idle);
    this.endRegistration(session);
    const left = (this.perIp.get(session.ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(session.ip, left);
    else this.perIp.delete(session.ip);
  }

  private touch(session: Session): void {
    if (session.idle) clearTimeout(session.idle);
    session.idle = setTimeout(
      () => void this.disconnect(session, DisconnectReason.TIMEOUT),
      this.idleTimeoutMs,
    );
    session.idle.unref();
  }

  private async send(ctx: StreamCtx, msg: ControlMessage): Promise<void> {
    try {
      await ctx.writer.write(encodeControlFrame(msg));
    } catch {
      // Stream already closed by the peer: the message has nobody to go to.
    }
  }
}

function nowUs(): bigint {
  return BigInt(Date.now()) * 1000n;
}
