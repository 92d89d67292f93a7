import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { DROP_REASON_LABELS, type RelayStats } from '../relay/relay-stats.js';

/** Live values the registry reads at scrape time. */
export interface MetricsSource {
  stats: RelayStats;
  sessionCount(): number;
  liveFecUnrecoverable(): number;
}

export interface RelayMetrics {
  registry: Registry;
  processing: Histogram;
}

/** The identity labels, carried by the one `lightspeed_relay_info` series (value 1), not by every series. */
export interface RelayInfoLabels {
  node_id: string;
  region: string;
  version: string;
}

/**
 * Builds a per-relay Registry (never the global one: several relays may share a process). Counters read
 * the relay's plain numbers when scraped, so the packet path never touches prom-client except for the
 * sampled processing-time histogram. Process metrics keep prom-client's standard names
 * (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...).
 */
export function createRelayMetrics(source: MetricsSource, labels: RelayInfoLabels): RelayMetrics {
  const registry = new Registry();
  const { stats } = source;
  const info = new Gauge({
    name: 'lightspeed_relay_info',
    help: 'Always 1; node_id, region and version of this relay (join on instance to label other series).',
    labelNames: ['node_id', 'region', 'version'],
    registers: [registry],
  });
  info.set({ ...labels }, 1);

  const packets = new Counter({
    name: 'lightspeed_relay_packets_total',
    help: 'Datagrams by direction: client_in (client to relay), server_out, server_in, client_out.',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      packets.reset();
      packets.inc({ direction: 'client_in' }, stats.clientInPackets);
      packets.inc({ direction: 'server_out' }, stats.serverOutPackets);
      packets.inc({ direction: 'server_in' }, stats.serverInPackets);
      packets.inc({ direction: 'client_out' }, stats.clientOutPackets);
    },
  });
  const bytes = new Counter({
    name: 'lightspeed_relay_bytes_total',
    help: 'UDP payload bytes by direction (tunnel headers included on the client side).',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      bytes.reset();
      bytes.inc({ direction: 'client_in' }, stats.clientInBytes);
      bytes.inc({ direction: 'server_out' }, stats.serverOutBytes);
      bytes.inc({ direction: 'server_in' }, stats.serverInBytes);
      bytes.inc({ direction: 'client_out' }, stats.clientOutBytes);
    },
  });
  const drops = new Counter({
    name: 'lightspeed_relay_dropped_packets_total',
    help: 'Packets dropped, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      drops.reset();
      DROP_REASON_LABELS.forEach((reason, i) => drops.inc({ reason }, stats.drops[i] ?? 0));
    },
  });
  const simple = (name: string, help: string, read: () => number): void => {
    const c: Counter = new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        c.reset();
        c.inc(read());
      },
    });
  };
  simple('lightspeed_relay_keepalives_total', 'KEEPALIVE packets answered.', () => stats.keepalives);
  simple('lightspeed_relay_handshakes_total', 'HANDSHAKE packets acknowledged.', () => stats.handshakes);
  simple('lightspeed_relay_fins_total', 'FIN packets received.', () => stats.fins);
  simple('lightspeed_relay_sessions_created_total', 'Sessions opened.', () => stats.sessionsCreated);
  simple(
    'lightspeed_relay_sessions_refused_total',
    'First packets refused a session (auth, session caps, per-IP creation rate; see dropped_packets_total).',
    () => stats.sessionsRefused,
  );
  simple(
    'lightspeed_relay_upstream_bound_inline_total',
    'Sessions whose upstream socket was bound on the packet path because the pool was empty.',
    () => stats.upstreamBoundInline,
  );
  const poolReady: Gauge = new Gauge({
    name: 'lightspeed_relay_upstream_pool_ready',
    help: 'Upstream sockets bound ahead of need and waiting for a session (session.upstream_pool).',
    registers: [registry],
    collect() {
      poolReady.set(stats.upstreamPoolReady);
    },
  });
  simple(
    'lightspeed_relay_sessions_timed_out_total',
    'Sessions closed by inactivity.',
    () => stats.sessionsTimedOut,
  );
  simple(
    'lightspeed_relay_fec_recovered_total',
    'Client packets rebuilt from FEC parity.',
    () => stats.fecRecovered,
  );
  simple(
    'lightspeed_relay_fec_unrecoverable_total',
    'Client FEC blocks closed with data missing.',
    () => stats.fecUnrecoverableRetired + source.liveFecUnrecoverable(),
  );
  simple(
    'lightspeed_relay_fec_parity_sent_total',
    'Parity packets sent to v2 clients.',
    () => stats.fecParitySent,
  );
  simple(
    'lightspeed_relay_telemetry_reports_total',
    'Client telemetry reports accepted.',
    () => stats.telemetryReports,
  );
  simple(
    'lightspeed_relay_telemetry_rejected_total',
    'Client telemetry reports rejected (too large or not JSON).',
    () => stats.telemetryRejected,
  );
  const sessions: Gauge = new Gauge({
    name: 'lightspeed_relay_sessions',
    help: 'Active data-plane sessions.',
    registers: [registry],
    collect() {
      sessions.set(source.sessionCount());
    },
  });
  const processing = new Histogram({
    name: 'lightspeed_relay_packet_processing_seconds',
    help: 'Time to handle one datagram in the relay (1 in 32 sampled).',
    buckets: [2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3],
    registers: [registry],
  });
  collectDefaultMetrics({ register: registry });
  return { registry, processing };
}
