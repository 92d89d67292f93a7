import type { Server } from 'node:http';
import { networkInterfaces } from 'node:os';

import { parseIpv4 } from '@lightspeed/shared';
import type { Logger } from 'pino';

import { DataPlane } from './data-plane.js';
import { RelayStats } from './relay-stats.js';
import type { SessionAuthority } from '../auth/session-authority.js';
import { parseBindAddress, parseIpv4BindAddress, type BindAddress } from '../config/bind-address.js';
import { ConfigError, resolveConfig, type RelayConfig } from '../config/config.js';
import { peersBody, relayAuthority, startRelayControl, type RelayControl } from '../control/relay-control.js';
import { registerMeshMetrics, statusBody } from '../mesh/mesh-admin.js';
import { statusEnabled } from '../mesh/mesh-config.js';
import { MeshNode } from '../mesh/mesh-node.js';
import { createHealthServer } from '../ops/health-server.js';
import { createRelayLogger } from '../ops/logger.js';
import { createRelayMetrics } from '../ops/relay-metrics.js';
import { DestinationPolicy } from '../security/destination-policy.js';
import { VERSION } from '../version.js';

/** A running relay. */
export interface Relay {
  /** Actual bound UDP port (binds may use port 0). */
  readonly dataPort: number;
  /** Actual bound HTTP port. */
  readonly healthPort: number;
  /** Bound QUIC control port, null when `control.enabled = false`. */
  readonly controlPort: number | null;
  /** SHA-256 of the control certificate (what clients pin), null without a control plane. */
  readonly certSha256: string | null;
  readonly config: RelayConfig;
  /** Bound mesh port and the mesh node, null when `[mesh] bind` is not set. */
  readonly meshPort: number | null;
  readonly mesh: MeshNode | null;
  sessionCount(): number;
  /** Stops intake, sends FIN to active clients, closes everything. */
  stop(): Promise<void>;
}

export interface StartRelayOptions {
  /** Required for any data to flow when security.require_auth = true. */
  authority?: SessionAuthority;
  logger?: Logger;
}

function bindOf(path: string, text: string, ipv4: boolean): BindAddress {
  const parsed = ipv4 ? parseIpv4BindAddress(text) : parseBindAddress(text);
  if (typeof parsed === 'string') throw new ConfigError(path, parsed);
  return parsed;
}

/** The host's own IPv4 addresses: the relay refuses to relay to itself unless allow-listed. */
function ownAddresses(bindHost: string): number[] {
  const out: number[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const ip = a.family === 'IPv4' ? parseIpv4(a.address) : null;
      if (ip !== null) out.push(ip);
    }
  }
  const bound = parseIpv4(bindHost);
  if (bound !== null && bound !== 0) out.push(bound);
  return out;
}

function listen(server: Server, bind: BindAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : bind.port);
    });
  });
}

/** Starts the data plane and the health server; if either cannot start, neither is left running. */
export async function startRelay(config: RelayConfig, options: StartRelayOptions = {}): Promise<Relay> {
  config = resolveConfig(config); // a hand-built config gets the same validation as a file
  const dataBind = bindOf('server.data_bind', config.server.data_bind, true);
  const healthBind = bindOf('server.health_bind', config.server.health_bind, false);
  const logger = options.logger ?? createRelayLogger(config.log.level, config.server.node_id);
  const stats = new RelayStats();
  const policy = new DestinationPolicy(config.security.allow_destinations, ownAddresses(dataBind.host));
  const authority = relayAuthority(config, options.authority);
  let control: RelayControl | null = null;

  let plane: DataPlane | null = null;
  const metrics = createRelayMetrics(
    {
      stats,
      sessionCount: () => plane?.sessions.size ?? 0,
      liveFecUnrecoverable: () => plane?.liveFecUnrecoverable() ?? 0,
    },
    { node_id: config.server.node_id, region: config.server.region, version: VERSION },
  );
  const processing = metrics.processing;
  const meshBind = config.mesh.bind === undefined ? null : bindOf('mesh.bind', config.mesh.bind, true);
  const mesh =
    meshBind === null
      ? null
      : new MeshNode({
          nodeId: config.server.node_id,
          region: config.server.region,
          mesh: config.mesh,
          policy,
          logger,
          requireAuth: config.security.require_auth,
          authority,
          upstreamHost: dataBind.host,
          pps: config.rate_limit.pps,
          bps: config.rate_limit.bps,
          maxSessions: config.security.max_sessions,
          maxSessionsPerIp: config.security.max_sessions_per_ip,
          maxDestinations: config.security.max_destinations_per_client,
          sessionTimeoutMs: config.session.timeout_s * 1000,
          sendToClient: (data, port, host) => plane?.sendFromDataPort(data, port, host),
          serverLegs: () => plane?.serverLegs ?? null,
        });
  if (mesh !== null) registerMeshMetrics(metrics.registry, mesh);
  plane = new DataPlane({
    config,
    stats,
    policy,
    logger,
    authority,
    upstreamHost: dataBind.host,
    onSample: (seconds) => processing.observe(seconds),
    meshIngress: mesh === null ? undefined : (msg, rinfo, now) => mesh.clientMessage(msg, rinfo, now),
  });
  const dataPlane = plane;
  const startedAt = Date.now();
  const health = createHealthServer({
    info: {
      node_id: config.server.node_id,
      region: config.server.region,
      version: VERSION,
      startedAt,
      sessions: () => dataPlane.sessions.size,
      control: () => (control ? { port: control.port, cert_sha256: control.certSha256 } : null),
      peers: () => peersBody(config),
      status: statusEnabled(config)
        ? {
            token: config.admin.token,
            body: () =>
              statusBody(
                {
                  node_id: config.server.node_id,
                  region: config.server.region,
                  sessions: dataPlane.sessions.size,
                },
                mesh,
              ),
          }
        : undefined,
    },
    registry: metrics.registry,
    stats,
    logger,
  });

  let dataPort: number;
  let healthPort: number;
  let meshPort: number | null = null;
  try {
    dataPort = await dataPlane.start(dataBind.host, dataBind.port);
    if (mesh !== null && meshBind !== null) meshPort = await mesh.start(meshBind.host, meshBind.port);
    healthPort = await listen(health, healthBind);
    control = await startRelayControl(config, {
      authority,
      logger,
      activeSessions: () => dataPlane.sessions.size,
      registry: metrics.registry,
    });
  } catch (err) {
    await dataPlane.stop().catch(() => undefined);
    await mesh?.stop().catch(() => undefined);
    health.close();
    throw err;
  }
  if (config.security.require_auth && authority === undefined) {
    logger.warn('security.require_auth = true and no session authority: no data will be relayed');
  }
  logger.info(
    {
      data_port: dataPort,
      health_port: healthPort,
      version: VERSION,
      require_auth: config.security.require_auth,
    },
    'relay started',
  );

  let stopped: Promise<void> | null = null;
  return {
    dataPort,
    healthPort,
    controlPort: control?.port ?? null,
    certSha256: control?.certSha256 ?? null,
    config,
    meshPort,
    mesh,
    sessionCount: () => dataPlane.sessions.size,
    stop(): Promise<void> {
      stopped ??= (async () => {
        const sessions = dataPlane.sessions.size;
        await control?.stop();
        await dataPlane.stop();
        await mesh?.stop();
        health.closeAllConnections();
        await new Promise<void>((resolve) => health.close(() => resolve()));
        logger.info({ sessions_finished: sessions }, 'relay stopped');
      })();
      return stopped;
    },
  };
}
