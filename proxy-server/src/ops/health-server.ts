import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { bearerMatches } from '../mesh/mesh-admin.js';
import type { RelayStats } from '../relay/relay-stats.js';

/** Deployed clients send telemetry of at most this size; larger bodies get 413. */
export const TELEMETRY_MAX_BYTES = 2048;

export interface HealthInfo {
  node_id: string;
  region: string;
  version: string;
  startedAt: number;
  sessions(): number;
  /** Control plane port and certificate fingerprint (clients pin it), null when disabled. */
  control?(): { port: number; cert_sha256: string } | null;
  /** JSON body of GET /peers (peer exchange, see docs/control-plane.md). */
  peers?(): string;
  /** GET /status (docs/mesh.md): the body, and the bearer token it needs (none: loopback only). */
  status?: { token: string | undefined; body(): string } | undefined;
}

export interface HealthServerOptions {
  info: HealthInfo;
  registry: Registry;
  stats: RelayStats;
  logger: Logger;
}

function reply(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readTelemetry(req: IncomingMessage, res: ServerResponse, stats: RelayStats, logger: Logger): void {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > TELEMETRY_MAX_BYTES) {
    stats.telemetryRejected++;
    res.setHeader('connection', 'close');
    reply(res, 413, '{"error":"telemetry body over 2048 bytes"}');
    req.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  req.on('data', (chunk: Buffer) => {
    if (rejected) return;
    size += chunk.length;
    if (size > TELEMETRY_MAX_BYTES) {
      rejected = true;
      stats.telemetryRejected++;
      res.setHeader('connection', 'close');
      reply(res, 413, '{"error":"telemetry body over 2048 bytes"}');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (rejected) return;
    let report: unknown;
    try {
      report = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      stats.telemetryRejected++;
      reply(res, 400, '{"error":"telemetry body is not JSON"}');
      return;
    }
    stats.telemetryReports++;
    logger.debug({ telemetry: report, from: req.socket.remoteAddress }, 'client telemetry');
    reply(res, 204, '');
  });
  req.on('error', () => undefined);
}

function controlFields(info: HealthInfo): Record<string, unknown> {
  const control = info.control?.();
  return control ? { control_port: control.port, cert_sha256: control.cert_sha256 } : {};
}

/** The operations HTTP server: GET /health, GET /metrics, POST /telemetry. */
export function createHealthServer(options: HealthServerOptions): Server {
  const { info, registry, stats, logger } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({
        status: 'ok',
        node_id: info.node_id,
        region: info.region,
        version: info.version,
        uptime_s: Math.floor((Date.now() - info.startedAt) / 1000),
        sessions: info.sessions(),
        ...controlFields(info),
      });
      reply(res, 200, body);
      return;
    }
    if (path === '/peers' && req.method === 'GET' && info.peers) {
      reply(res, 200, info.peers());
      return;
    }
    if (path === '/status' && req.method === 'GET' && info.status) {
      const { token } = info.status;
      if (token !== undefined && !bearerMatches(req, token)) {
        res.setHeader('www-authenticate', 'Bearer');
        reply(res, 401, '{"error":"unauthorized"}');
        return;
      }
      reply(res, 200, info.status.body());
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      registry.metrics().then(
        (text) => reply(res, 200, text, registry.contentType),
        (err: unknown) => {
          logger.warn({ err }, 'metrics collection failed');
          reply(res, 500, '{"error":"metrics collection failed"}');
        },
      );
      return;
    }
    if (path === '/telemetry' && req.method === 'POST') {
      readTelemetry(req, res, stats, logger);
      return;
    }
    if (path === '/health' || path === '/metrics' || path === '/telemetry') {
      reply(res, 405, '{"error":"method not allowed"}');
      return;
    }
    reply(res, 404, '{"error":"not found","endpoints":["GET /health","GET /metrics","POST /telemetry"]}');
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}
