/**
 * Client side of the relay control plane (QUIC, UDP 4433): connect (pinning the relay's self-signed
 * certificate by SHA-256 when a fingerprint is known), register with a game id, keep the token, ping,
 * read ServerInfo, disconnect gracefully. One bidirectional stream carries the deployed framing.
 */
import {
  ControlFrameReader,
  DisconnectReason,
  encodeControlFrame,
  type ControlMessage,
} from '@lightspeed/shared';
import {
  BAD_CERTIFICATE,
  CONTROL_ALPN,
  CONTROL_SERVER_NAME,
  controlClientOptions,
  normalizePin,
} from '@lightspeed/proxy-server/quic';
import { errors as quicErrors, events, QUICClient, type QUICStream } from '@matrixai/quic';

export { CONTROL_SERVER_NAME };
/** Default control port of deployed relays. */
export const DEFAULT_CONTROL_PORT = 4433;
/**
 * TLS alert no_application_protocol as a QUIC error (0x100 + 120 = 0x178): the peer speaks QUIC but not our
 * ALPN. A deployed relay's control plane answers exactly this (rustls without ALPN refuses an offered one),
 * and BoringSSL cannot connect without ALPN, so such a relay is used token-less, like one with no control
 * plane at all.
 */
const NO_ALPN_MATCH = 0x178;

export type ControlErrorKind =
  'no-control-plane' | 'certificate' | 'refused' | 'timeout' | 'protocol' | 'closed';

/** Every failure of the control client, with a kind a caller can branch on. */
export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    /** Deployed Disconnect reason when the relay refused or closed us. */
    readonly reason?: number,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ControlClientOptions {
  host: string;
  port?: number;
  /** Expected SHA-256 (hex, colons allowed) of the relay certificate; without it any certificate is taken. */
  certSha256?: string | undefined;
  serverName?: string;
  /** Local address to bind (tests use 127.0.0.2 to act as another host). */
  localHost?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface RegisterResult {
  sessionId: number;
  token: number;
  nodeId: string;
  region: string;
}

export interface ServerInfo {
  load: number;
  activeSessions: number;
  capacity: number;
}

interface Waiter {
  accept: (msg: ControlMessage) => boolean;
  resolve: (msg: ControlMessage) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Names a Disconnect reason code for messages. */
export function disconnectReasonName(reason: number): string {
  const names: Record<number, string> = {
    [DisconnectReason.NORMAL]: 'normal',
    [DisconnectReason.TIMEOUT]: 'timeout',
    [DisconnectReason.SERVER_SHUTDOWN]: 'server shutdown',
    [DisconnectReason.RATE_LIMITED]: 'rate limited',
    [DisconnectReason.AUTH_FAILED]: 'auth failed',
  };
  return names[reason] ?? `reason ${reason}`;
}

/** A live control connection to one relay; see the file comment. */
export class ControlClient {
  private readonly frames = new ControlFrameReader();
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly waiters = new Set<Waiter>();
  private readonly disconnectListeners = new Set<(reason: number | null) => void>();
  private registration: RegisterResult | null = null;
  private info: ServerInfo | null = null;
  private lastRttMs: number | null = null;
  private endReason: number | null | undefined = undefined;
  private readonly requestTimeoutMs: number;

  private constructor(
    private readonly quic: QUICClient,
    stream: QUICStream,
    requestTimeoutMs: number,
  ) {
    this.requestTimeoutMs = requestTimeoutMs;
    this.writer = stream.writable.getWriter();
    void this.readLoop(stream);
    quic.addEventListener(
      events.EventQUICClientClose.name,
      (evt: Event) => {
        const err = (evt as events.EventQUICClientClose).detail;
        const data = (err as { data?: { isApp?: boolean; errorCode?: number } } | undefined)?.data;
        this.finish(data?.isApp ? (data.errorCode ?? null) : null);
      },
      { once: true },
    );
  }

  /** Connects and opens the control stream; a relay that never answers is reported as having no control plane. */
  static async connect(opts: ControlClientOptions): Promise<ControlClient> {
    const port = opts.port ?? DEFAULT_CONTROL_PORT;
    const timeoutMs = opts.connectTimeoutMs ?? 3000;
    const pin = normalizePin(opts.certSha256);
    let quic: QUICClient;
    try {
      quic = await QUICClient.createQUICClient(
        controlClientOptions({
          host: opts.host,
          port,
          serverName: opts.serverName,
          // An IPv4 relay needs an IPv4 socket; the library binds '::' otherwise.
          localHost: opts.localHost ?? (isIpv4(opts.host) ? '0.0.0.0' : undefined),
          certSha256: pin,
          config: { maxIdleTimeout: 90_000, keepAliveIntervalTime: 15_000 },
        }),
        { timer: timeoutMs },
      );
    } catch (err) {
      throw connectError(err, `${opts.host}:${port}`, timeoutMs, pin);
    }
    const stream = quic.connection.newStream('bidi');
    return new ControlClient(quic, stream, opts.requestTimeoutMs ?? 3000);
  }

  /** Registers with a game id; resolves with the session token, rejects with kind 'refused' on Disconnect. */
  async register(gameId: number, protocolVersion = 1): Promise<RegisterResult> {
    const reply = await this.request(
      { type: 'register', protocolVersion, gameId },
      (m) => m.type === 'register-ack',
    );
    if (reply.type !== 'register-ack') throw new ControlError('protocol', `unexpected ${reply.type}`);
    this.registration = {
      sessionId: reply.sessionId,
      token: reply.token,
      nodeId: reply.nodeId,
      region: reply.region,
    };
    return this.registration;
  }

  /** Round trip of one Ping; also refreshes serverInfo (the relay sends one after each Pong). */
  async ping(): Promise<{ rttMs: number; serverTimestampUs: bigint }> {
    const sentAt = performance.now();
    const ts = BigInt(Date.now()) * 1000n;
    const reply = await this.request(
      { type: 'ping', timestampUs: ts },
      (m) => m.type === 'pong' && m.clientTimestampUs === ts,
    );
    if (reply.type !== 'pong') throw new ControlError('protocol', `unexpected ${reply.type}`);
    this.lastRttMs = performance.now() - sentAt;
    return { rttMs: this.lastRttMs, serverTimestampUs: reply.serverTimestampUs };
  }

  /** Token from the last RegisterAck (null before registering or after a disconnect). */
  get token(): number | null {
    return this.endReason === undefined ? (this.registration?.token ?? null) : null;
  }

  get session(): RegisterResult | null {
    return this.registration;
  }

  /** Latest ServerInfo the relay sent. */
  get serverInfo(): ServerInfo | null {
    return this.info;
  }

  get rttMs(): number | null {
    return this.lastRttMs;
  }

  /** Whether the connection has ended (Disconnect received or sent, or the connection closed). */
  get closed(): boolean {
    return this.endReason !== undefined;
  }

  /** Called once when the relay disconnects us or the connection drops (reason null when none was given). */
  onDisconnect(listener: (reason: number | null) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Sends Disconnect(reason) and closes the connection. Idempotent. */
  async close(reason: number = DisconnectReason.NORMAL): Promise<void> {
    if (this.endReason === undefined) {
      try {
        await this.writer.write(encodeControlFrame({ type: 'disconnect', reason }));
        await this.writer.close();
      } catch {
        // Already closed by the relay.
      }
      this.finish(reason);
    }
    await this.quic.destroy({ isApp: true, errorCode: reason, force: true }).catch(() => {});
  }

  private request(msg: ControlMessage, accept: (m: ControlMessage) => boolean): Promise<ControlMessage> {
    if (this.endReason !== undefined) {
      return Promise.reject(
        new ControlError('closed', 'control connection is closed', this.endReason ?? undefined),
      );
    }
    return new Promise<ControlMessage>((resolve, reject) => {
      const waiter: Waiter = {
        accept,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new ControlError('timeout', `no answer to ${msg.type} within ${this.requestTimeoutMs} ms`));
        }, this.requestTimeoutMs),
      };
      this.waiters.add(waiter);
      this.writer.write(encodeControlFrame(msg)).catch((err: unknown) => {
        this.settle(waiter);
        reject(new ControlError('closed', `control stream closed: ${(err as Error).message}`));
      });
    });
  }

  private async readLoop(stream: QUICStream): Promise<void> {
    const reader = stream.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const result = this.frames.push(value);
        for (const msg of result.messages) this.dispatch(msg);
        if (!result.ok) {
          this.failAll(new ControlError('protocol', `relay sent a malformed frame: ${result.error.message}`));
          break;
        }
      }
    } catch {
      // Stream reset or connection closed; the close event reports why.
    }
  }

  private dispatch(msg: ControlMessage): void {
    if (msg.type === 'server-info') {
      this.info = { load: msg.load, activeSessions: msg.activeSessions, capacity: msg.capacity };
      return;
    }
    if (msg.type === 'disconnect') {
      this.finish(msg.reason);
      return;
    }
    for (const w of this.waiters) {
      if (w.accept(msg)) {
        this.settle(w);
        w.resolve(msg);
        return;
      }
    }
  }

  private finish(reason: number | null): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    const text =
      reason === null ? 'connection closed' : `relay disconnected us: ${disconnectReasonName(reason)}`;
    this.failAll(new ControlError(reason === null ? 'closed' : 'refused', text, reason ?? undefined));
    for (const l of this.disconnectListeners) l(reason);
  }

  private failAll(err: ControlError): void {
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(err);
    }
  }

  private settle(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }
}

function connectError(err: unknown, where: string, timeoutMs: number, pin: string | undefined): ControlError {
  if (err instanceof quicErrors.ErrorQUICClientCreateTimeout) {
    return new ControlError(
      'no-control-plane',
      `no QUIC control plane answered at ${where} within ${timeoutMs} ms ` +
        '(an older relay without a control plane, or the port is blocked)',
    );
  }
  const data = (err as { data?: { errorCode?: number } }).data;
  if (pin && data?.errorCode === BAD_CERTIFICATE) {
    return new ControlError(
      'certificate',
      `relay certificate at ${where} does not match the pinned SHA-256 ${pin}`,
    );
  }
  if (data?.errorCode === NO_ALPN_MATCH) {
    return new ControlError(
      'no-control-plane',
      `the QUIC control plane at ${where} refused our ALPN "${CONTROL_ALPN}" (QUIC error 0x178): a deployed ` +
        'relay, whose QUIC has no ALPN, which this client cannot speak',
    );
  }
  if (err instanceof quicErrors.ErrorQUICConnectionPeer && data?.errorCode !== undefined) {
    return new ControlError(
      'refused',
      `relay at ${where} refused the connection (code ${data.errorCode})`,
      data.errorCode,
    );
  }
  return new ControlError(
    'no-control-plane',
    `control connection to ${where} failed: ${(err as Error).message}`,
  );
}

function isIpv4(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
