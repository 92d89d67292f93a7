/**
 * What the boost engine keeps for one relay's control plane: connect, register with the game id, hold the
 * token, ping on an interval (which also refreshes ServerInfo and stops the relay's idle timeout), and
 * close with Disconnect(normal). A relay with no control plane (deployed old relays) is reported as
 * `token-less` with a message saying so, and the caller decides whether it can go on without a token.
 */
import { DisconnectReason } from '@lightspeed/shared';

import {
  ControlClient,
  ControlError,
  DEFAULT_CONTROL_PORT,
  disconnectReasonName,
  type RegisterResult,
  type ServerInfo,
} from './control-client.js';

export interface ControlSessionOptions {
  host: string;
  port?: number;
  gameId: number;
  protocolVersion?: number;
  certSha256?: string | undefined;
  localHost?: string;
  connectTimeoutMs?: number;
  /** Ping period; must stay below the relay's control idle timeout (60 s by default). */
  pingIntervalMs?: number;
}

export type ControlOutcome =
  { mode: 'registered'; session: ControlSession } | { mode: 'token-less'; message: string };

/** A registered control connection kept alive by pings; see the file comment. */
export class ControlSession {
  private timer: NodeJS.Timeout | null = null;
  private readonly lostListeners = new Set<(message: string) => void>();

  private constructor(
    private readonly client: ControlClient,
    readonly registration: RegisterResult,
    pingIntervalMs: number,
  ) {
    this.timer = setInterval(() => {
      this.client.ping().catch(() => {
        // A failed ping ends in a disconnect event if the connection is really gone.
      });
    }, pingIntervalMs);
    this.timer.unref();
    client.onDisconnect((reason) => {
      this.stopTimer();
      const why =
        reason === null
          ? 'control connection lost'
          : `relay ended the session: ${disconnectReasonName(reason)}`;
      for (const l of this.lostListeners) l(why);
    });
  }

  /**
   * Connects and registers. Resolves `token-less` when nothing answers on the control port; rejects with a
   * ControlError for a certificate mismatch, a refused registration (rate limited, auth failed) or a timeout.
   */
  static async open(opts: ControlSessionOptions): Promise<ControlOutcome> {
    const port = opts.port ?? DEFAULT_CONTROL_PORT;
    let client: ControlClient;
    try {
      client = await ControlClient.connect({
        host: opts.host,
        port,
        certSha256: opts.certSha256,
        ...(opts.localHost ? { localHost: opts.localHost } : {}),
        connectTimeoutMs: opts.connectTimeoutMs ?? 3000,
      });
    } catch (err) {
      if (err instanceof ControlError && err.kind === 'no-control-plane') {
        return {
          mode: 'token-less',
          message: `${err.message}; continuing without a session token (works only with relays that do not require auth)`,
        };
      }
      throw err;
    }
    try {
      const registration = await client.register(opts.gameId, opts.protocolVersion ?? 1);
      await client.ping().catch(() => undefined); // first RTT and ServerInfo; not fatal
      return {
        mode: 'registered',
        session: new ControlSession(client, registration, opts.pingIntervalMs ?? 10_000),
      };
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }

  /** Token to put in every data packet header (null once the relay has ended the session). */
  get token(): number | null {
    return this.client.token;
  }

  get serverInfo(): ServerInfo | null {
    return this.client.serverInfo;
  }

  get rttMs(): number | null {
    return this.client.rttMs;
  }

  /** Called once if the relay disconnects us or the connection drops. */
  onLost(listener: (message: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Sends Disconnect(normal): the relay revokes the token. */
  async close(): Promise<void> {
    this.stopTimer();
    await this.client.close(DisconnectReason.NORMAL);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
