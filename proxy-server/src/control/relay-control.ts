/**
 * Glue between the relay configuration and the control plane: which SessionAuthority the data plane gets,
 * starting the QUIC server on `server.control_bind` with the configured certificate, and the GET /peers body.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { SessionAuthority } from '../auth/session-authority.js';
import { parseBindAddress } from '../config/bind-address.js';
import { ConfigError, type RelayConfig } from '../config/config.js';
import { loadOrCreateIdentity } from './certificate.js';
import { registerControlMetrics } from './control-metrics.js';
import { ControlServer } from './control-server.js';
import { TokenAuthority } from './token-authority.js';

export interface RelayControl {
  readonly server: ControlServer;
  readonly authority: TokenAuthority;
  readonly port: number;
  readonly certSha256: string;
  stop(): Promise<void>;
}

/**
 * The authority the data plane should use: the caller's if given, else (control plane enabled) a
 * TokenAuthority the control server will fill, else none.
 */
export function relayAuthority(
  config: RelayConfig,
  given: SessionAuthority | undefined,
): SessionAuthority | undefined {
  if (given !== undefined) return given;
  if (!config.control.enabled) return undefined;
  return new TokenAuthority({
    maxPerIp: Math.min(255, config.security.max_sessions_per_ip),
    capacity: config.security.max_sessions,
  });
}

/** Starts the control server when `control.enabled`; returns null when it is disabled. */
export async function startRelayControl(
  config: RelayConfig,
  deps: {
    authority: SessionAuthority | undefined;
    logger: Logger;
    activeSessions: () => number;
    /** The relay's metrics registry: lightspeed_control_* series are added to it. */
    registry?: Registry;
  },
): Promise<RelayControl | null> {
  if (!config.control.enabled) return null;
  const bind = parseBindAddress(config.server.control_bind);
  if (typeof bind === 'string') throw new ConfigError('server.control_bind', bind);
  const authority = deps.authority instanceof TokenAuthority ? deps.authority : new TokenAuthority();
  if (deps.authority !== undefined && !(deps.authority instanceof TokenAuthority)) {
    deps.logger.warn(
      'control: a custom session authority is in use; tokens issued by the control plane are not honoured',
    );
  }
  const certDir = config.control.cert_dir ?? process.env.STATE_DIRECTORY;
  const identity = await loadOrCreateIdentity({
    certPath: config.control.cert,
    keyPath: config.control.key,
    dir: certDir,
  });
  if (identity.source === 'generated' && !certDir) {
    deps.logger.warn(
      'control: certificate generated in memory only; set control.cert_dir so clients can pin it across restarts',
    );
  }
  const log = deps.logger.child({ component: 'control' });
  const server = await ControlServer.start(
    {
      identity,
      authority,
      nodeId: config.server.node_id,
      region: config.server.region,
      load: () => ({ activeSessions: deps.activeSessions(), capacity: config.security.max_sessions }),
      rateLimit: { burst: config.control.register_burst, perMinute: config.control.register_per_minute },
      idleTimeoutMs: config.control.idle_timeout_s * 1000,
      log: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
    },
    bind,
  );
  if (deps.registry) registerControlMetrics(deps.registry, server, authority);
  deps.logger.info(
    { control_port: server.port, cert_sha256: identity.sha256, cert_source: identity.source },
    'control plane started',
  );
  return { server, authority, port: server.port, certSha256: identity.sha256, stop: () => server.stop() };
}

/** JSON body of GET /peers: this node and the relays listed in `control.peers` ("host[:data_port]"). */
export function peersBody(config: RelayConfig): string {
  const peers = config.control.peers.map((entry) => {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.trim())!;
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    return m[2] ? { host, data_port: Number(m[2]) } : { host };
  });
  return JSON.stringify({ node_id: config.server.node_id, region: config.server.region, peers });
}
